import { createHash } from 'node:crypto';

/** Lower-case hex sha256: the key of a file blob. */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The identity of a whole file tree: sha256 over its sorted `path NUL hash LF` lines. Equal trees
 * get equal hashes whatever order their files came in; paths hold no NUL or LF (domain/file-path.ts),
 * so the encoding is unambiguous.
 */
export function treeHash(files: ReadonlyArray<{ path: string; hash: string }>): string {
  const lines = files.map((file) => `${file.path}\0${file.hash}\n`).sort();
  return sha256Hex(lines.join(''));
}
