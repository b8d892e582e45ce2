import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { DeploymentStatus } from '../../domain/deployments';
import { ProviderName, type DeliveryError, type ProviderRef } from '../../domain/providers';
import { baseProperties } from './base';

/**
 * One production release of a version (workflow `deploy-<id>`). At most one deployment per
 * project is `live` (a partial unique index): promotion is the only way in.
 */
export const Deployment = defineEntity({
  name: 'Deployment',
  tableName: 'deployments',
  indexes: [{ properties: ['projectId', 'createdAt'] }],
  uniques: [
    {
      name: 'deployments_one_live_per_project',
      expression: `create unique index "deployments_one_live_per_project" on "deployments" ("project_id") where "status" = 'live'`,
    },
  ],
  properties: {
    ...baseProperties,
    organizationId: p.uuid(),
    projectId: p.uuid(),
    version: p.integer(),
    provider: p.enum(ProviderName.options),
    status: p.enum(DeploymentStatus.options).default('pending'),
    url: p.string().length(500).nullable(),
    providerRef: p.json<ProviderRef>().nullable(),
    /** The deployment live when this one was requested: the rollback target. */
    previousDeploymentId: p.uuid().nullable(),
    error: p.json<DeliveryError>().nullable(),
    logTail: p.json<string[]>(),
    requestedBy: p.uuid(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Deployment = InferEntity<typeof Deployment>;
