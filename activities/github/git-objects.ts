import { createHash } from 'node:crypto';

/** The git object id of a file's content (`blob <size>\0<bytes>`), so unchanged files are never sent. */
export const gitBlobSha = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

/** Files up to this size go inline in the tree request (one call for all of them); larger ones as blobs. */
export const INLINE_MAX_BYTES = 32 * 1024;

export interface TreeFile {
  path: string;
  bytes: Buffer;
}
