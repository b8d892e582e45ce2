import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An organization's way into GitHub (domain/github.ts). The token or private key is sealed like
 * provider secrets (activities/providers/secret-box.ts); only the agents worker opens it.
 */
export const GithubConnection = defineEntity({
  name: 'GithubConnection',
  tableName: 'github_connections',
  properties: {
    organizationId: p.uuid().primary(),
    type: p.enum(['token', 'app']),
    apiUrl: p.string().length(500),
    appId: p.integer().nullable(),
    sealedSecret: p.text(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type GithubConnection = InferEntity<typeof GithubConnection>;
