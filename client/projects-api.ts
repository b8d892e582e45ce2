import type { z } from 'zod';
import type { Page } from '../domain/pagination';
import type { ProjectDeletionDto } from '../domain/project-deletion';
import type { CreateProjectBody, ProjectDto, UpdateProjectBody } from '../domain/projects';
import type { CreateVersionBody, FileContent, VersionDiffDto, VersionDto, VersionSummaryDto } from '../domain/versions';
import type { PageOptions } from './accounts-api';
import { pathOf, type Request } from './http-transport';

/** Projects and their immutable versions: files, diffs, rollback, publish. */
export function projectsApi(request: Request) {
  return {
    projects: {
      list: (orgId: string, page?: PageOptions) => request<Page<ProjectDto>>('GET', pathOf('orgs', orgId, 'projects'), { query: page }),
      create: (orgId: string, body: CreateProjectBody) => request<ProjectDto>('POST', pathOf('orgs', orgId, 'projects'), { body }),
      get: (projectId: string) => request<ProjectDto>('GET', pathOf('projects', projectId)),
      update: (projectId: string, body: UpdateProjectBody) => request<ProjectDto>('PATCH', pathOf('projects', projectId), { body }),
      /** Starts the deletion (202); the project answers 404 once its jobs, previews and deployments are stopped and it is gone. */
      delete: (projectId: string) => request<ProjectDeletionDto>('DELETE', pathOf('projects', projectId)),
      /** `null` unpublishes. */
      publish: (projectId: string, version: number | null) => request<ProjectDto>('POST', pathOf('projects', projectId, 'publish'), { body: { version } }),
    },
    versions: {
      list: (projectId: string, page?: PageOptions) => request<Page<VersionSummaryDto>>('GET', pathOf('projects', projectId, 'versions'), { query: page }),
      get: (projectId: string, n: number) => request<VersionDto>('GET', pathOf('projects', projectId, 'versions', n)),
      /** One file of a version; `path` keeps its slashes (`src/App.tsx`). */
      file: (projectId: string, n: number, path: string) =>
        request<FileContent>('GET', pathOf('projects', projectId, 'versions', n, 'files') + pathOf(...path.split('/'))),
      diff: (projectId: string, from: number, to: number) => request<VersionDiffDto>('GET', pathOf('projects', projectId, 'versions', from, 'diff', to)),
      create: (projectId: string, body: z.input<typeof CreateVersionBody>) => request<VersionDto>('POST', pathOf('projects', projectId, 'versions'), { body }),
      rollback: (projectId: string, n: number, body: { message?: string } = {}) =>
        request<VersionDto>('POST', pathOf('projects', projectId, 'versions', n, 'rollback'), { body }),
    },
  };
}
