import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The GitHub commit of a version (code_versions rows are immutable, so the sha lives beside them):
 * Forge's own commit of a saved version, or the pushed commit an import or external version came from.
 */
export const VersionCommit = defineEntity({
  name: 'VersionCommit',
  tableName: 'version_commits',
  properties: {
    projectId: p.uuid().primary(),
    number: p.integer().primary(),
    sha: p.string().length(40),
    /** Set when the session asked for pull requests: the commit is on a branch of its own. */
    pullRequestUrl: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type VersionCommit = InferEntity<typeof VersionCommit>;
