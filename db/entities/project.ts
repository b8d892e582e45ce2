import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { StorageBackendKind } from '../../domain/projects';
import { baseProperties } from './base';
import { Organization } from './organization';

/**
 * An app being built. `currentVersion` is always the highest version number: it moves only by the
 * compare-and-set in db/repositories/versions.ts, which is what serializes writers of a project.
 */
export const Project = defineEntity({
  name: 'Project',
  tableName: 'projects',
  uniques: [{ properties: ['organization', 'slug'] }],
  properties: {
    ...baseProperties,
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    name: p.string().length(100),
    slug: p.string().length(60),
    storageBackend: p.enum(StorageBackendKind.options),
    /** Backend settings (e.g. a GitHub repository); unused by the internal backend. */
    storageConfig: p.json<Record<string, unknown>>().nullable(),
    currentVersion: p.integer().nullable(),
    publishedVersion: p.integer().nullable(),
    /** Set by DELETE: the deletion workflow is removing the project; nothing new may start on it. */
    deletionId: p.uuid().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Project = InferEntity<typeof Project>;
