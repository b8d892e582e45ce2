import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PreviewStatus } from '../../domain/previews';
import { ProviderName, type DeliveryError, type ProviderRef } from '../../domain/providers';
import { baseProperties } from './base';

/**
 * A version served for a limited time (workflow `preview-<id>`). The row mirrors the workflow for
 * reads; the workflow owns the truth (its durable timer is the real expiry). Ids, not relations,
 * as for jobs: the row outlives what it names.
 */
export const Preview = defineEntity({
  name: 'Preview',
  tableName: 'previews',
  indexes: [{ properties: ['projectId', 'createdAt'] }],
  properties: {
    ...baseProperties,
    organizationId: p.uuid(),
    projectId: p.uuid(),
    version: p.integer(),
    provider: p.enum(ProviderName.options),
    status: p.enum(PreviewStatus.options).default('pending'),
    url: p.string().length(500).nullable(),
    ttlSeconds: p.integer(),
    expiresAt: p.datetime().nullable(),
    /** What the provider runs for it, so stop and the reaper find it after any restart. */
    providerRef: p.json<ProviderRef>().nullable(),
    error: p.json<DeliveryError>().nullable(),
    /** The last lines of the build and server log. */
    logTail: p.json<string[]>(),
    /** null when a codegen job started it. */
    requestedBy: p.uuid().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Preview = InferEntity<typeof Preview>;
