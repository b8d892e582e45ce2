import type { z } from 'zod';
import type { CreateDeploymentBody, DeploymentDto } from '../domain/deployments';
import type { CreatePreviewBody, ExtendPreviewBody, PreviewDto } from '../domain/previews';
import type { Page } from '../domain/pagination';
import type { PageOptions } from './accounts-api';
import { pathOf, type Request } from './http-transport';

/** Previews (temporary builds of a version) and production deployments; watch `preview:<id>` / `deployment:<id>`. */
export function deliveryApi(request: Request) {
  return {
    previews: {
      create: (projectId: string, body: z.input<typeof CreatePreviewBody> = {}) => request<PreviewDto>('POST', pathOf('projects', projectId, 'previews'), { body }),
      get: (previewId: string) => request<PreviewDto>('GET', pathOf('previews', previewId)),
      /** Newest first. */
      list: (projectId: string, page?: PageOptions) => request<Page<PreviewDto>>('GET', pathOf('projects', projectId, 'previews'), { query: page }),
      destroy: (previewId: string) => request<PreviewDto>('DELETE', pathOf('previews', previewId)),
      extend: (previewId: string, body: z.input<typeof ExtendPreviewBody> = {}) => request<PreviewDto>('POST', pathOf('previews', previewId, 'extend'), { body }),
    },
    deployments: {
      create: (projectId: string, body: z.input<typeof CreateDeploymentBody>) => request<DeploymentDto>('POST', pathOf('projects', projectId, 'deployments'), { body }),
      get: (deploymentId: string) => request<DeploymentDto>('GET', pathOf('deployments', deploymentId)),
      /** Newest first. */
      list: (projectId: string, page?: PageOptions) => request<Page<DeploymentDto>>('GET', pathOf('projects', projectId, 'deployments'), { query: page }),
    },
  };
}
