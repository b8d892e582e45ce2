import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { VersionSource } from '../../domain/versions';
import { baseProperties } from './base';
import { Project } from './project';

/**
 * One immutable snapshot of a project's files. Rows are only ever inserted (db/repositories/versions.ts):
 * the entity is read-only to the unit of work and a trigger refuses UPDATE, so nothing rewrites history.
 */
export const CodeVersion = defineEntity({
  name: 'CodeVersion',
  tableName: 'code_versions',
  readonly: true,
  // (project, number) is the backstop of the compare-and-set that allocates numbers.
  uniques: [{ properties: ['project', 'number'] }, { properties: ['project', 'idempotencyKey'] }],
  triggers: [{ name: 'immutable', timing: 'before', events: ['update'], body: `raise exception 'code versions are immutable'` }],
  properties: {
    ...baseProperties,
    project: () => p.manyToOne(Project).deleteRule('cascade'),
    number: p.integer(),
    parentVersion: p.integer().nullable(),
    message: p.text(),
    source: p.enum(VersionSource.options),
    storageRef: p.string().length(200),
    /** An id, not a relation: a version outlives its author's account, and an FK action would need an UPDATE. */
    authorId: p.uuid().nullable(),
    /** Attempt-independent key of the write (an activity's); saving again with it returns this version. */
    idempotencyKey: p.string().length(500).nullable(),
  },
});
export type CodeVersion = InferEntity<typeof CodeVersion>;
