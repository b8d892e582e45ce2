import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import { Deployment, Preview } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { appendEvents } from '../../db/repositories/event-log';
import type { EventDraft } from '../../domain/agent-workflows';
import type { DeploymentPatch, LiveDeployment } from '../../domain/deployments';
import { topicFor } from '../../domain/events';
import type { PreviewWorkflowArgs } from '../../domain/preview-workflow-input';
import type { PreviewPatch } from '../../domain/previews';

/** Outcomes recorded in the audit log, once per row (the status changes into them only once). */
const auditedOutcomes = new Set(['live', 'failed', 'destroyed', 'rolled_back']);

function audit(em: EntityManager, row: Preview | Deployment, kind: 'preview' | 'deployment', before: string): void {
  if (row.status === before || !auditedOutcomes.has(row.status)) return;
  recordAudit(em, {
    actorId: null,
    organizationId: row.organizationId,
    action: `${kind}.${row.status}`,
    targetType: kind,
    targetId: row.id,
    details: { projectId: row.projectId, version: row.version, provider: row.provider, error: row.error?.code ?? null },
  });
}

/**
 * The preview and deployment rows, and their durable events, written by their workflows (agents
 * queue). A report is one transaction: the row and its events change together. Events carry
 * keys the workflow derived, so a retried report writes nothing twice.
 */
export function createDeliveryRecordActivities({ orm }: { orm: MikroORM }) {
  return {
    /**
     * Applies a patch to the preview row and appends its events. `create` (the workflow's input as
     * the workflow checked it, defaults filled, sent with the first report) inserts the row when
     * its starter did not record it (a codegen job's child); an API-started preview already has it.
     */
    async recordPreview({ previewId, patch, events, create }: { previewId: string; patch: PreviewPatch; events: EventDraft[]; create?: PreviewWorkflowArgs }): Promise<void> {
      await orm.em.fork().transactional(async (em) => {
        if (create) {
          await em.execute(
            `insert into previews (id, created_at, updated_at, organization_id, project_id, version, provider, status, ttl_seconds, log_tail, requested_by)
             values (?, now(), now(), ?, ?, ?, ?, 'pending', ?, '[]'::jsonb, ?) on conflict (id) do nothing`,
            [previewId, create.organizationId, create.projectId, create.version, create.provider, create.ttlSeconds, create.requestedBy],
          );
        }
        const preview = await em.findOneOrFail(Preview, previewId);
        const { expiresAt, ...fields } = patch;
        const before = preview.status;
        em.assign(preview, { ...fields, ...(expiresAt === undefined ? {} : { expiresAt: expiresAt === null ? null : new Date(expiresAt) }) });
        audit(em, preview, 'preview', before);
        await appendEvents(em, topicFor('preview', previewId), events);
      });
    },

    async recordDeployment({ deploymentId, patch, events }: { deploymentId: string; patch: DeploymentPatch; events: EventDraft[] }): Promise<void> {
      await orm.em.fork().transactional(async (em) => {
        const deployment = await em.findOneOrFail(Deployment, deploymentId);
        const before = deployment.status;
        em.assign(deployment, patch);
        audit(em, deployment, 'deployment', before);
        await appendEvents(em, topicFor('deployment', deploymentId), events);
      });
    },

    /** The project's live deployment other than `excludeId`: what a failure rolls back to. */
    async findLiveDeployment({ projectId, excludeId }: { projectId: string; excludeId: string }): Promise<LiveDeployment | null> {
      const live = await orm.em.fork().findOne(Deployment, { projectId, status: 'live', id: { $ne: excludeId } });
      return live?.providerRef ? { deploymentId: live.id, providerRef: live.providerRef } : null;
    },

    /**
     * Makes `deploymentId` the project's live deployment and the previous one `superseded`, in one
     * transaction under a row lock (the partial unique index is the backstop). Repeating it after
     * it committed changes nothing and returns null.
     */
    async promoteDeployment({ deploymentId, events }: { deploymentId: string; events: EventDraft[] }): Promise<LiveDeployment | null> {
      return orm.em.fork().transactional(async (em) => {
        const deployment = await em.findOneOrFail(Deployment, deploymentId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (deployment.status === 'live') return null;
        const previous = await em.findOne(Deployment, { projectId: deployment.projectId, status: 'live' }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (previous) {
          previous.status = 'superseded';
          await em.flush();
        }
        const before = deployment.status;
        deployment.status = 'live';
        audit(em, deployment, 'deployment', before);
        await appendEvents(em, topicFor('deployment', deploymentId), events);
        return previous?.providerRef ? { deploymentId: previous.id, providerRef: previous.providerRef } : null;
      });
    },
  };
}
