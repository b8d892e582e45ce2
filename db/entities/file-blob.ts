import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * File contents, stored once per sha256 whatever the number of versions, projects or organizations
 * that hold them. bytea, not text: Postgres text cannot hold a NUL, and the hash is over these bytes.
 */
export const FileBlob = defineEntity({
  name: 'FileBlob',
  tableName: 'file_blobs',
  readonly: true,
  triggers: [{ name: 'immutable', timing: 'before', events: ['update'], body: `raise exception 'file blobs are immutable'` }],
  properties: {
    /** Lower-case hex sha256 of the UTF-8 content. */
    hash: p.string().length(64).primary(),
    size: p.integer(),
    /** Lazy: listings read hash and size only. */
    content: p.blob().lazy(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type FileBlob = InferEntity<typeof FileBlob>;
