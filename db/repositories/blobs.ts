import type { EntityManager } from '@mikro-orm/postgresql';

/** Contents of the given blobs (hash -> UTF-8 text). A missing hash is simply absent from the map. */
export async function readBlobs(em: EntityManager, hashes: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(hashes)];
  if (unique.length === 0) return new Map();
  const rows = await em.execute<Array<{ hash: string; content: Buffer }>>('select hash, content from file_blobs where hash in (?)', [unique]);
  return new Map(rows.map((row) => [row.hash, row.content.toString('utf8')]));
}
