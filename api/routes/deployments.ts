import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Deployment, ProviderConfig } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { findLiveDeployment, requireDeployment } from '../../db/repositories/deliveries';
import { listProjectDeployments } from '../../db/repositories/project-lists';
import { requireProject } from '../../db/repositories/projects';
import { findVersion } from '../../db/repositories/versions';
import { activeDeploymentStatuses, CreateDeploymentBody, DeploymentDto, DeploymentParams, type DeploymentWorkflowInput } from '../../domain/deployments';
import { conflict, ErrorCode } from '../../domain/errors';
import { Page, PageQuery } from '../../domain/pagination';
import { ProjectParams } from '../../domain/projects';
import { taskQueues } from '../../domain/task-queues';
import { deployWorkflowId } from '../../domain/workflow-ids';
import type { deploymentWorkflow } from '../../workflows/deployment';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import { startDelivery } from '../deliveries/start-delivery';
import type { AppDeps } from '../deps';
import { toDeploymentDto } from '../dto/deliveries';
import { defineRoute } from '../http/route';
import { refuseWhileDeleting } from '../projects/project-deletion';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

/**
 * One deployment per project at a time (two rolling out at once would race for the live slot and
 * roll back to each other): a start while one is in progress is a 409 naming it. The partial
 * unique index `deployments_one_active_per_project` settles two starts racing past the check.
 * A row still active whose workflow has ended (terminated by an operator, or cancelled before
 * deployments recorded their cancel) would block the project forever: it is marked failed instead.
 */
async function flushOneActive(em: EntityManager, temporal: Client, projectId: string): Promise<void> {
  const busy = () => em.fork().findOne(Deployment, { projectId, status: { $in: [...activeDeploymentStatuses] } }, { fields: ['id', 'status', 'createdAt'] });
  const refuse = (active: { id: string; status: string } | null) =>
    conflict(`A deployment of this project is already in progress${active ? ` (${active.id}, ${active.status})` : ''}: wait for it to end`, active ? { deploymentId: active.id } : undefined);
  const active = await busy();
  if (active) {
    if (!(await workflowEnded(temporal, deployWorkflowId(active.id), active.createdAt))) throw refuse(active);
    await em.fork().nativeUpdate(Deployment, { id: active.id, status: active.status }, {
      status: 'failed',
      error: { code: ErrorCode.internal, message: 'Its workflow ended without recording an outcome' },
    });
  }
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw refuse(await busy());
    throw err;
  }
}

/** A row is recorded just before its workflow starts: a workflow not found counts as ended only once that moment is long past. */
const START_GRACE_MS = 60_000;

async function workflowEnded(temporal: Client, workflowId: string, recordedAt: Date): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return Date.now() - recordedAt.getTime() > START_GRACE_MS;
    throw err;
  }
}

export const deploymentRoutes = (deps: AppDeps) => {
  const quotas = createQuotaGuard(quotaPolicyFrom(deps.config));
  return [
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/deployments',
    summary: "The project's deployments, newest first",
    tag: 'deployments',
    params: ProjectParams,
    query: PageQuery,
    response: Page(DeploymentDto),
    handler: async ({ params, query }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const page = await listProjectDeployments(req.em, project.id, query);
      return { ...page, items: page.items.map(toDeploymentDto) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/projects/:projectId/deployments',
    creates: { under: '/deployments/:id', param: 'id', pointer: '/id' },
    summary: 'Deploy a version to production (admin): build, deploy, health check, promote; rolls back on failure',
    tag: 'deployments',
    params: ProjectParams,
    body: CreateDeploymentBody,
    status: 202,
    response: DeploymentDto,
    handler: async ({ params, body }, req) => {
      const userId = req.auth!.userId;
      const project = await requireProject(req.em, userId, params.projectId, 'admin');
      refuseWhileDeleting(project);
      const organizationId = project.organization.id;
      await findVersion(req.em, project.id, body.version);
      if (body.provider !== 'local' && !(await req.em.count(ProviderConfig, { organization: organizationId, provider: body.provider }))) {
        throw conflict(`The organization has no ${body.provider} configuration: save one with PUT /orgs/${organizationId}/providers/${body.provider}`);
      }
      const live = await findLiveDeployment(req.em, project.id);
      const deployment = req.em.create(Deployment, {
        id: randomUUID(),
        organizationId,
        projectId: project.id,
        version: body.version,
        provider: body.provider,
        previousDeploymentId: live?.id ?? null,
        logTail: [],
        requestedBy: userId,
      });
      recordAudit(req.em, { actorId: userId, organizationId, action: 'deployment.create', targetType: 'deployment', targetId: deployment.id, ip: req.ip, details: { projectId: project.id, version: body.version, provider: body.provider } });
      // Counted and recorded under the organization's quota lock; one deployment per project at a time.
      await quotas.admitDelivery(req.em, organizationId, 'deployment', () => flushOneActive(req.em, deps.temporal, project.id));
      await startDelivery(req.em, deployment, () => deps.temporal.workflow.start<typeof deploymentWorkflow>('deploymentWorkflow', {
        workflowId: deployWorkflowId(deployment.id),
        taskQueue: taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents,
        args: [{ deploymentId: deployment.id, projectId: project.id, organizationId, version: body.version, provider: body.provider } satisfies DeploymentWorkflowInput],
        staticSummary: `Deploy ${project.name} v${body.version} to ${body.provider}`,
        typedSearchAttributes: searchAttributesOf.deploy({ organizationId, projectId: project.id }),
      }));
      return toDeploymentDto(deployment);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/deployments/:id',
    summary: 'A deployment: status, URL, what it rolled back to, and the tail of its log',
    tag: 'deployments',
    params: DeploymentParams,
    response: DeploymentDto,
    handler: async ({ params }, req) => toDeploymentDto(await requireDeployment(req.em, req.auth!.userId, params.id, 'viewer')),
  }),
];
};
