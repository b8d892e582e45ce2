import { z } from 'zod';
import { DeliveryError, ProviderName, type ProviderRef } from './providers';
import { VersionNumber } from './versions';

// Production deployments: states, request bodies, workflow input.

/**
 * `live` is the project's one live deployment; promoting a new one makes the old one `superseded`.
 * A deployment whose deploy or health check failed after another was live ends `rolled_back`
 * (the previous one serves again); with nothing to go back to it ends `failed`.
 */
export const DeploymentStatus = z.enum(['pending', 'building', 'deploying', 'live', 'failed', 'rolled_back', 'superseded']);
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

export const activeDeploymentStatuses: readonly DeploymentStatus[] = ['pending', 'building', 'deploying'];

export const CreateDeploymentBody = z.object({ version: VersionNumber, provider: ProviderName.default('local') });
export type CreateDeploymentBody = z.infer<typeof CreateDeploymentBody>;

export const DeploymentParams = z.object({ id: z.uuid() });

export const DeploymentDto = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  organizationId: z.uuid(),
  version: z.int().positive(),
  provider: ProviderName,
  status: DeploymentStatus,
  url: z.string().nullable(),
  /** The deployment that was live when this one started: where a failure rolls back to. */
  previousDeploymentId: z.uuid().nullable(),
  error: DeliveryError.nullable(),
  logs: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DeploymentDto = z.infer<typeof DeploymentDto>;

/** Input of `deploymentWorkflow` (workflow id `deploy-<deploymentId>`); the API creates the row first. */
export interface DeploymentWorkflowInput {
  deploymentId: string;
  projectId: string;
  organizationId: string;
  version: number;
  provider: ProviderName;
}

export interface DeploymentPatch {
  status?: DeploymentStatus;
  url?: string | null;
  providerRef?: ProviderRef | null;
  previousDeploymentId?: string | null;
  error?: DeliveryError | null;
  logTail?: string[];
}

/** The live deployment a new one replaces, with the provider handle a rollback needs. */
export interface LiveDeployment {
  deploymentId: string;
  providerRef: ProviderRef;
}
