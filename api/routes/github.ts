import { randomUUID } from 'node:crypto';
import { SecretBox } from '../../activities/providers/secret-box';
import { githubSecretContext } from '../../activities/github/github-client';
import { GithubConnection } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requireRole } from '../../db/repositories/memberships';
import { requireProject } from '../../db/repositories/projects';
import { OrgParams } from '../../domain/accounts';
import { AppError, ErrorCode, notFound } from '../../domain/errors';
import { DEFAULT_GITHUB_API, GithubConnectionBody, GithubConnectionDto, StorageSettingsBody } from '../../domain/github';
import { ProjectDto, ProjectParams } from '../../domain/projects';
import { taskQueues } from '../../domain/task-queues';
import type { githubImportWorkflow } from '../../workflows/github-sync';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import type { AppDeps } from '../deps';
import { toProjectDto } from '../dto/projects';
import { githubAppError } from '../github/github-errors';
import { ensureGithubPollSchedule, removeGithubPollSchedule } from '../github/poll-schedule';
import { defineRoute } from '../http/route';
import { refuseWhileDeleting } from '../projects/project-deletion';

const toDto = (c: GithubConnection): GithubConnectionDto => ({ type: c.type, apiUrl: c.apiUrl, appId: c.appId ?? null, updatedAt: c.updatedAt.toISOString() });

/**
 * The organization's GitHub credential (admin; sealed here, opened only by the agents worker) and
 * a project's storage: connecting a repository imports its branch in the worker and answers when done.
 */
export const githubRoutes = (deps: AppDeps) => {
  const box = deps.config.ENCRYPTION_KEY ? new SecretBox(deps.config.ENCRYPTION_KEY) : undefined;
  const queue = taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents;
  return [
    defineRoute({
      method: 'get',
      path: '/orgs/:orgId/github',
      summary: "How the organization reaches GitHub (admin); never the secret",
      tag: 'github',
      params: OrgParams,
      response: GithubConnectionDto,
      handler: async ({ params }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        const row = await req.em.findOne(GithubConnection, params.orgId);
        if (!row) throw notFound('GitHub connection');
        return toDto(row);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/orgs/:orgId/github',
      summary: 'Connect GitHub with a GitHub App (app id + private key) or a fine-grained token (admin); encrypted at rest',
      tag: 'github',
      params: OrgParams,
      body: GithubConnectionBody,
      response: GithubConnectionDto,
      handler: async ({ params, body }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        if (!box) throw new AppError(ErrorCode.unavailable, 'ENCRYPTION_KEY is not set: a GitHub credential cannot be stored');
        const secret: Record<string, string> = body.auth.type === 'token' ? { token: body.auth.token } : { privateKey: body.auth.privateKey };
        const fields = {
          type: body.auth.type,
          apiUrl: body.apiUrl ?? DEFAULT_GITHUB_API,
          appId: body.auth.type === 'app' ? body.auth.appId : null,
          sealedSecret: box.seal(secret, githubSecretContext(params.orgId)),
        };
        const row = (await req.em.findOne(GithubConnection, params.orgId)) ?? req.em.create(GithubConnection, { organizationId: params.orgId, ...fields });
        req.em.assign(row, fields);
        recordAudit(req.em, { actorId: req.auth!.userId, organizationId: params.orgId, action: 'github.connect', targetType: 'organization', targetId: params.orgId, ip: req.ip, details: { type: fields.type, apiUrl: fields.apiUrl } });
        await req.em.flush();
        return toDto(row);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/orgs/:orgId/github',
      summary: "Forget the organization's GitHub credential (admin)",
      tag: 'github',
      params: OrgParams,
      status: 204,
      handler: async ({ params }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        const row = await req.em.findOne(GithubConnection, params.orgId);
        if (!row) throw notFound('GitHub connection');
        req.em.remove(row);
        recordAudit(req.em, { actorId: req.auth!.userId, organizationId: params.orgId, action: 'github.disconnect', targetType: 'organization', targetId: params.orgId, ip: req.ip });
        await req.em.flush();
      },
    }),
    defineRoute({
      method: 'put',
      path: '/projects/:projectId/storage',
      summary: "Where the project's versions go (admin): internal, or also a GitHub branch, whose files are imported as a version first",
      tag: 'github',
      params: ProjectParams,
      body: StorageSettingsBody,
      response: ProjectDto,
      handler: async ({ params, body }, req) => {
        const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'admin');
        refuseWhileDeleting(project);
        if (body.backend === 'internal') {
          project.storageBackend = 'internal';
          project.storageConfig = null;
          await removeGithubPollSchedule(deps.temporal, project.id);
        } else {
          // The credential never leaves the worker: the import runs there, the API waits for its answer.
          await deps.temporal.workflow
            .execute<typeof githubImportWorkflow>('githubImportWorkflow', {
              workflowId: `github-connect-${project.id}-${randomUUID()}`,
              taskQueue: queue,
              args: [{ projectId: project.id, source: 'import', repository: body.repository, connect: true }],
              staticSummary: `Connect project ${project.name} to ${body.repository.owner}/${body.repository.name}@${body.repository.branch}`,
              workflowExecutionTimeout: '5 minutes',
              typedSearchAttributes: searchAttributesOf.githubImport({ organizationId: project.organization.id, projectId: project.id }),
            })
            .catch((err: unknown) => { throw githubAppError(err); });
          await req.em.refresh(project);
          await ensureGithubPollSchedule(deps.temporal, queue, project, deps.config.GITHUB_POLL_SECONDS);
        }
        recordAudit(req.em, { actorId: req.auth!.userId, organizationId: project.organization.id, action: 'project.storage', targetType: 'project', targetId: project.id, ip: req.ip, details: body });
        await req.em.flush();
        return toProjectDto(project);
      },
    }),
  ];
};
