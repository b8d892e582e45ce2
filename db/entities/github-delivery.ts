import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Webhook deliveries already handled (X-GitHub-Delivery): GitHub redelivers, Forge acts once. */
export const GithubDelivery = defineEntity({
  name: 'GithubDelivery',
  tableName: 'github_deliveries',
  properties: {
    id: p.string().length(100).primary(),
    event: p.string().length(100),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type GithubDelivery = InferEntity<typeof GithubDelivery>;
