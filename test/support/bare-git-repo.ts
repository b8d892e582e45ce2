import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * A real bare git repository driven through the git CLI: what the local GitHub server stores its
 * objects and refs in, and what tests read back with `git log` / `git show`. Blobs are written as
 * loose objects directly (git's own format), to spare a process per file.
 */
export class BareGitRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'forge-github-'));

  constructor() {
    this.git(['init', '--bare', '--quiet', '--initial-branch=main']);
  }

  git(args: string[], input?: string, env: Record<string, string> = {}): string {
    return execFileSync('git', args, {
      input,
      env: { ...process.env, GIT_DIR: this.dir, GIT_AUTHOR_NAME: 'Forge Test', GIT_AUTHOR_EMAIL: 'test@forge.invalid', GIT_COMMITTER_NAME: 'Forge Test', GIT_COMMITTER_EMAIL: 'test@forge.invalid', ...env },
      maxBuffer: 256 * 1024 * 1024,
    }).toString('utf8');
  }

  writeBlob(bytes: Buffer): string {
    const object = Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]);
    const sha = createHash('sha1').update(object).digest('hex');
    const path = join(this.dir, 'objects', sha.slice(0, 2), sha.slice(2));
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, 'objects', sha.slice(0, 2)), { recursive: true });
      writeFileSync(path, deflateSync(object));
    }
    return sha;
  }

  /** A tree from `base` (or empty) with entries set (`sha`) or removed (`sha: null`), via a throwaway index. */
  writeTree(base: string | null, entries: Array<{ path: string; mode: string; sha: string | null }>): string {
    const index = join(this.dir, `index-${process.pid}-${Date.now()}-${Math.random()}`);
    try {
      this.git(base ? ['read-tree', base] : ['read-tree', '--empty'], undefined, { GIT_INDEX_FILE: index });
      const lines = entries.map((e) => (e.sha === null ? `0 ${'0'.repeat(40)}\t${e.path}` : `${e.mode} ${e.sha}\t${e.path}`)).join('\n');
      if (lines) this.git(['update-index', '--index-info'], `${lines}\n`, { GIT_INDEX_FILE: index });
      return this.git(['write-tree'], undefined, { GIT_INDEX_FILE: index }).trim();
    } finally {
      rmSync(index, { force: true });
    }
  }

  commit(tree: string, parents: string[], message: string): string {
    return this.git(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], message).trim();
  }

  head(branch: string): string | null {
    try {
      return this.git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).trim();
    } catch {
      return null;
    }
  }

  /** A commit made as a user outside Forge would (for imports and external pushes). */
  commitFiles(branch: string, files: Record<string, string | null>, message: string): string {
    const parent = this.head(branch);
    const entries = Object.entries(files).map(([path, content]) => ({ path, mode: '100644', sha: content === null ? null : this.writeBlob(Buffer.from(content)) }));
    const sha = this.commit(this.writeTree(parent, entries), parent ? [parent] : [], message);
    this.git(['update-ref', `refs/heads/${branch}`, sha]);
    return sha;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
