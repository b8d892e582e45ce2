import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { sha256Hex, treeHash } from '../../activities/storage/content-hash';

it('hashes content as the sha256 of its UTF-8 bytes', () => {
  expect(sha256Hex('hé')).toBe(createHash('sha256').update(Buffer.from('hé', 'utf8')).digest('hex'));
  expect(sha256Hex(Buffer.from('hé', 'utf8'))).toBe(sha256Hex('hé'));
});

it('gives a tree one hash whatever the file order, and another when any path or hash changes', () => {
  const tree = [{ path: 'b.ts', hash: sha256Hex('b') }, { path: 'a.ts', hash: sha256Hex('a') }];
  expect(treeHash(tree)).toBe(treeHash([...tree].reverse()));
  expect(treeHash(tree)).not.toBe(treeHash([tree[0]!, { path: 'a.ts', hash: sha256Hex('A') }]));
  expect(treeHash(tree)).not.toBe(treeHash([tree[0]!, { path: 'c.ts', hash: sha256Hex('a') }]));
  expect(treeHash([])).toBe(sha256Hex(''));
});
