import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { CodeVersion } from './code-version';
import { FileBlob } from './file-blob';

/** A path of a version and the blob it holds; inserted with its version, never changed (see CodeVersion). */
export const SourceFile = defineEntity({
  name: 'SourceFile',
  tableName: 'source_files',
  readonly: true,
  triggers: [{ name: 'immutable', timing: 'before', events: ['update'], body: `raise exception 'source files are immutable'` }],
  properties: {
    version: () => p.manyToOne(CodeVersion).primary().deleteRule('cascade'),
    path: p.string().length(300).primary(),
    blob: () => p.manyToOne(FileBlob).fieldName('hash'),
  },
});
export type SourceFile = InferEntity<typeof SourceFile>;
