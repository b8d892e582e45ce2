import type { Deployment, Preview, ProviderConfig } from '../../db/entities/index';
import type { DeploymentDto } from '../../domain/deployments';
import type { PreviewDto } from '../../domain/previews';
import type { ProviderConfigDto } from '../../domain/providers';

// Previews, deployments and provider settings become answers only through these functions. The
// provider handle (pids, service ids) stays internal; sealed secrets never leave the row.

export const toPreviewDto = (preview: Preview): PreviewDto => ({
  id: preview.id,
  projectId: preview.projectId,
  organizationId: preview.organizationId,
  version: preview.version,
  provider: preview.provider,
  status: preview.status,
  url: preview.url ?? null,
  ttlSeconds: preview.ttlSeconds,
  expiresAt: preview.expiresAt?.toISOString() ?? null,
  error: preview.error ?? null,
  logs: preview.logTail,
  createdAt: preview.createdAt.toISOString(),
  updatedAt: preview.updatedAt.toISOString(),
});

export const toDeploymentDto = (deployment: Deployment): DeploymentDto => ({
  id: deployment.id,
  projectId: deployment.projectId,
  organizationId: deployment.organizationId,
  version: deployment.version,
  provider: deployment.provider,
  status: deployment.status,
  url: deployment.url ?? null,
  previousDeploymentId: deployment.previousDeploymentId ?? null,
  error: deployment.error ?? null,
  logs: deployment.logTail,
  createdAt: deployment.createdAt.toISOString(),
  updatedAt: deployment.updatedAt.toISOString(),
});

export const toProviderConfigDto = (config: ProviderConfig): ProviderConfigDto => ({
  provider: config.provider,
  settings: config.settings,
  secretNames: config.secretNames,
  updatedAt: config.updatedAt.toISOString(),
});
