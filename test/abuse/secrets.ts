import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/stack/paths';

/** The dev env file setup writes: the secrets a hostile build would most like to read. */
export const devEnvFile = join(repoRoot, '.data', 'dev.env');

/** Its values (JWT_SECRET, ENCRYPTION_KEY), which must appear nowhere a tenant can look. */
export function devSecrets(): string[] {
  return readFileSync(devEnvFile, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.slice(line.indexOf('=') + 1))
    .filter((value) => value.length >= 16);
}

/** Which of `secrets` occur in `text` (names them by position, never echoing the value). */
export const leaked = (text: string, secrets: readonly string[]): string[] =>
  secrets.flatMap((secret, i) => (text.includes(secret) ? [`secret #${i} (${secret.length} chars)`] : []));

/** Every process in the tree under `root` (from /proc), with its environment. */
export async function processTreeEnvironments(root: number): Promise<Array<{ pid: number; env: Record<string, string> }>> {
  const stats = await Promise.all(
    (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      return { pid: Number(pid), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) };
    }),
  );
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of stats) if (tree.has(ppid) && !tree.has(pid)) grew = Boolean(tree.add(pid));
  }
  return Promise.all(
    [...tree].map(async (pid) => {
      const raw = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      return { pid, env: Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
    }),
  );
}
