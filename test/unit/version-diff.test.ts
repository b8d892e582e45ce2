import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { changedPaths, renderDiff, type ChangedPath } from '../../activities/storage/version-diff';

const entry = (path: string, hash: string) => ({ path, hash, size: 1 });

describe('changedPaths', () => {
  it('finds added, removed and modified paths by hash, sorted, ignoring unchanged ones', () => {
    const before = [entry('z.ts', 'h1'), entry('same.ts', 'h2'), entry('gone.ts', 'h3')];
    const after = [entry('same.ts', 'h2'), entry('z.ts', 'h4'), entry('a/new.ts', 'h5')];
    expect(changedPaths(before, after)).toEqual([
      { path: 'a/new.ts', status: 'added', oldHash: null, newHash: 'h5' },
      { path: 'gone.ts', status: 'removed', oldHash: 'h3', newHash: null },
      { path: 'z.ts', status: 'modified', oldHash: 'h1', newHash: 'h4' },
    ]);
    expect(changedPaths(before, before)).toEqual([]);
  });
});

describe('renderDiff', () => {
  const texts: Record<string, string> = {
    old: 'one\ntwo\nthree\n',
    new: 'one\n2\nthree\nfour',
    added: 'fresh\n',
    removed: 'stale\nlines\n',
  };
  const contents = new Map(Object.entries(texts));
  const changes: ChangedPath[] = [
    { path: 'added.txt', status: 'added', oldHash: null, newHash: 'added' },
    { path: 'mod.txt', status: 'modified', oldHash: 'old', newHash: 'new' },
    { path: 'removed.txt', status: 'removed', oldHash: 'removed', newHash: null },
  ];

  it('writes minimal unified patches with counts and totals', () => {
    const { files, stats } = renderDiff(changes, contents);
    expect(files[1]).toEqual({
      path: 'mod.txt',
      status: 'modified',
      patch: '--- a/mod.txt\n+++ b/mod.txt\n@@ -1,3 +1,4 @@\n one\n-two\n+2\n three\n+four\n\\ No newline at end of file\n',
      additions: 2,
      deletions: 1,
    });
    expect(files[0]!.patch).toBe('--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1,1 @@\n+fresh\n');
    expect(files[2]!.patch).toBe('--- a/removed.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-stale\n-lines\n');
    expect(stats).toEqual({ added: 1, removed: 1, modified: 1, additions: 3, deletions: 3 });
  });

  it('falls back to a whole-file replacement, still a valid patch, once the time budget is spent', () => {
    const { files, stats } = renderDiff(changes, contents, 0);
    expect(files[1]!.patch).toBe('--- a/mod.txt\n+++ b/mod.txt\n@@ -1,3 +1,4 @@\n-one\n-two\n-three\n+one\n+2\n+three\n+four\n\\ No newline at end of file\n');
    expect(files[1]).toMatchObject({ additions: 4, deletions: 3 });
    expect(stats).toEqual({ added: 1, removed: 1, modified: 1, additions: 5, deletions: 5 });
  });

  it.each([0, 1_000])('produces patches that turn each old content into the new one (budget %i ms)', (budget) => {
    const pairs = [['a\nb', 'a\nc\n'], ['', 'x'], ['x', ''], ['l1\nl2\n', 'l1\nl2'], ['\n\n', 'q\r\n'], [texts.old!, texts.new!]];
    for (const [before, after] of pairs) {
      const { files } = renderDiff([{ path: 'p', status: 'modified', oldHash: 'o', newHash: 'n' }], new Map([['o', before!], ['n', after!]]), budget);
      expect(applyPatch(before!, files[0]!.patch), JSON.stringify([before, after])).toBe(after);
    }
  });

  it('stays fast on a fully rewritten large file', () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `line ${i} before`).join('\n');
    const after = Array.from({ length: 20_000 }, (_, i) => `line ${i} after`).join('\n');
    const started = Date.now();
    const { files } = renderDiff([{ path: 'big.txt', status: 'modified', oldHash: 'o', newHash: 'n' }], new Map([['o', before], ['n', after]]), 200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(applyPatch(before, files[0]!.patch)).toBe(after);
  });
});
