import { randomUUID } from 'node:crypto';
import { Preview } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requirePreview } from '../../db/repositories/deliveries';
import { listProjectPreviews } from '../../db/repositories/project-lists';
import { requireProject } from '../../db/repositories/projects';
import { findVersion } from '../../db/repositories/versions';
import { conflict } from '../../domain/errors';
import { PreviewTtl, type PreviewWorkflowInput } from '../../domain/preview-workflow-input';
import { CreatePreviewBody, ExtendPreviewBody, PreviewDto, PreviewParams } from '../../domain/previews';
import { Page, PageQuery } from '../../domain/pagination';
import { ProjectParams } from '../../domain/projects';
import { taskQueues } from '../../domain/task-queues';
import { previewWorkflowId } from '../../domain/workflow-ids';
import type { previewWorkflow } from '../../workflows/preview';
import { destroyPreviewUpdate, extendPreviewUpdate } from '../../workflows/preview-signals';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import { asCommand } from '../agents/temporal-errors';
import { startDelivery } from '../deliveries/start-delivery';
import type { AppDeps } from '../deps';
import { toPreviewDto } from '../dto/deliveries';
import { defineRoute } from '../http/route';
import { refuseWhileDeleting } from '../projects/project-deletion';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

export const previewRoutes = (deps: AppDeps) => {
  const quotas = createQuotaGuard(quotaPolicyFrom(deps.config));
  return [
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/previews',
    summary: "The project's previews, newest first",
    tag: 'previews',
    params: ProjectParams,
    query: PageQuery,
    response: Page(PreviewDto),
    handler: async ({ params, query }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const page = await listProjectPreviews(req.em, project.id, query);
      return { ...page, items: page.items.map(toPreviewDto) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/projects/:projectId/previews',
    creates: { under: '/previews/:id', param: 'id', pointer: '/id' },
    summary: 'Build a version and serve it for a limited time (editor); watch it on topic preview:<id>',
    tag: 'previews',
    params: ProjectParams,
    body: CreatePreviewBody,
    status: 202,
    response: PreviewDto,
    handler: async ({ params, body }, req) => {
      const userId = req.auth!.userId;
      const project = await requireProject(req.em, userId, params.projectId, 'editor');
      refuseWhileDeleting(project);
      const version = body.version ?? project.currentVersion ?? null;
      if (version === null) throw conflict('This project has no version to preview yet');
      await findVersion(req.em, project.id, version);
      const input = {
        previewId: randomUUID(),
        projectId: project.id,
        organizationId: project.organization.id,
        version,
        ttlSeconds: body.ttlSeconds ?? PreviewTtl.defaultSeconds,
        provider: deps.config.PREVIEW_PROVIDER,
        requestedBy: userId,
      } satisfies PreviewWorkflowInput;
      const preview = req.em.create(Preview, {
        id: input.previewId,
        organizationId: input.organizationId,
        projectId: input.projectId,
        version,
        provider: input.provider,
        ttlSeconds: input.ttlSeconds,
        logTail: [],
        requestedBy: userId,
      });
      recordAudit(req.em, { actorId: userId, organizationId: input.organizationId, action: 'preview.create', targetType: 'preview', targetId: preview.id, ip: req.ip, details: { projectId: project.id, version } });
      // Counted and recorded under the organization's quota lock.
      await quotas.admitDelivery(req.em, input.organizationId, 'preview', () => req.em.flush());
      await startDelivery(req.em, preview, () => deps.temporal.workflow.start<typeof previewWorkflow>('previewWorkflow', {
        workflowId: previewWorkflowId(preview.id),
        taskQueue: taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents,
        args: [input],
        staticSummary: `Preview of ${project.name} v${version}`,
        typedSearchAttributes: searchAttributesOf.preview({ organizationId: input.organizationId, projectId: project.id }),
      }));
      return toPreviewDto(preview);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/previews/:id',
    summary: 'A preview: status, URL, expiry and the tail of its log',
    tag: 'previews',
    params: PreviewParams,
    response: PreviewDto,
    handler: async ({ params }, req) => toPreviewDto(await requirePreview(req.em, req.auth!.userId, params.id, 'viewer')),
  }),
  defineRoute({
    method: 'post',
    path: '/previews/:id/extend',
    summary: 'Restart a live preview\'s lifetime from now (editor)',
    tag: 'previews',
    params: PreviewParams,
    body: ExtendPreviewBody,
    response: PreviewDto,
    handler: async ({ params, body }, req) => {
      const preview = await requirePreview(req.em, req.auth!.userId, params.id, 'editor');
      const handle = deps.temporal.workflow.getHandle(previewWorkflowId(preview.id));
      await asCommand('This preview has ended', () => handle.executeUpdate(extendPreviewUpdate, { args: [{ ttlSeconds: body.ttlSeconds }] }));
      recordAudit(req.em, { actorId: req.auth!.userId, organizationId: preview.organizationId, action: 'preview.extend', targetType: 'preview', targetId: preview.id, ip: req.ip, details: { ttlSeconds: body.ttlSeconds ?? null } });
      await req.em.flush();
      await req.em.refresh(preview);
      return toPreviewDto(preview);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/previews/:id',
    summary: 'End a preview now (editor): a build in progress stops, the provider\'s resources are removed',
    tag: 'previews',
    params: PreviewParams,
    status: 202,
    response: PreviewDto,
    handler: async ({ params }, req) => {
      const preview = await requirePreview(req.em, req.auth!.userId, params.id, 'editor');
      // Ending an ended preview is already done: answer with it rather than a conflict.
      if (preview.status === 'failed' || preview.status === 'destroyed') return toPreviewDto(preview);
      const handle = deps.temporal.workflow.getHandle(previewWorkflowId(preview.id));
      await asCommand('This preview has ended', () => handle.executeUpdate(destroyPreviewUpdate));
      recordAudit(req.em, { actorId: req.auth!.userId, organizationId: preview.organizationId, action: 'preview.delete', targetType: 'preview', targetId: preview.id, ip: req.ip });
      await req.em.flush();
      await req.em.refresh(preview);
      return toPreviewDto(preview);
    },
  }),
];
};
