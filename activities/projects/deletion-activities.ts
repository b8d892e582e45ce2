import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { activeDeploymentStatuses } from '../../domain/deployments';
import { topicFor } from '../../domain/events';
import { githubPollScheduleId } from '../../domain/github';
import type { ProjectDeletionInput, ProjectRunKind } from '../../domain/project-deletion';
import type { ProviderRef } from '../../domain/providers';
import { deployWorkflowId, jobWorkflowId, previewWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { AgentJob, AgentSession, Deployment, Preview, Project } from '../../db/entities/index';
import { recordAuditOnce } from '../../db/repositories/audit';
import { appendEvents } from '../../db/repositories/event-log';
import { ForgeJobTypes } from '../../workflows/workflow-search-attributes';

const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Stops one workflow and waits until it has closed. `cancel` false only waits (a deployment
 * mid-rollout is left to finish: cancelling it could strand what it created at the provider).
 * A workflow that is already closed (or never started) answers at once: the step is repeatable.
 */
async function stopAndWait(client: Client, workflowId: string, cancel: boolean): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  if (cancel) await handle.cancel().catch(() => undefined);
  await handle.result().catch(() => undefined);
}

/**
 * The steps of a project deletion that touch Postgres and other workflows (agents queue). Tearing
 * down at the providers is the builders' destroyRelease, retried by Temporal like any provider call.
 */
export function createProjectDeletionActivities({ orm }: { orm: MikroORM }) {
  const runIds = async (client: Client, projectId: string, kind: ProjectRunKind): Promise<Array<{ id: string; cancel: boolean }>> => {
    const em = orm.em.fork();
    if (kind === 'sessions') {
      // Sessions first (no new jobs start), then every job that has not ended (a queued one never will).
      const sessions = await em.find(AgentSession, { projectId, status: 'open' }, { fields: ['id'] });
      const jobs = await em.find(AgentJob, { projectId, status: { $in: ['running', 'waiting', 'queued'] } }, { fields: ['id'] });
      return [...sessions.map((s) => ({ id: sessionWorkflowId(s.id), cancel: true })), ...jobs.map((j) => ({ id: jobWorkflowId(j.id), cancel: true }))];
    }
    if (kind === 'previews') {
      const previews = await em.find(Preview, { projectId, status: { $nin: ['failed', 'destroyed'] } }, { fields: ['id'] });
      // A preview a job started a moment ago may not have recorded its row yet: Temporal's view finds it.
      const listed = [];
      for await (const run of client.workflow.list({ query: `ForgeProjectId = '${projectId}' AND ForgeJobType = '${ForgeJobTypes.preview}' AND ExecutionStatus = 'Running'` })) listed.push(run.workflowId);
      return [...new Set([...previews.map((p) => previewWorkflowId(p.id)), ...listed])].map((id) => ({ id, cancel: true }));
    }
    const deployments = await em.find(Deployment, { projectId, status: { $in: [...activeDeploymentStatuses] } }, { fields: ['id'] });
    return deployments.map((d) => ({ id: deployWorkflowId(d.id), cancel: false }));
  };

  return {
    /** Cancels (or, for deployments, awaits) the project's runs of one kind and returns once all have closed. */
    async stopProjectRuns({ projectId, kind }: { projectId: string; kind: ProjectRunKind }): Promise<{ stopped: number }> {
      const context = Context.current();
      const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const runs = await runIds(context.client, projectId, kind);
        await Promise.all(runs.map((run) => stopAndWait(context.client, run.id, run.cancel)));
        return { stopped: runs.length };
      } finally {
        clearInterval(timer);
      }
    },

    /** Every release a provider may still hold for the project; destroying a gone one succeeds, so all are listed. */
    async listProjectReleases({ projectId }: { projectId: string }): Promise<Array<{ deploymentId: string; ref: ProviderRef }>> {
      const rows = await orm.em.fork().find(Deployment, { projectId, providerRef: { $ne: null } }, { orderBy: { createdAt: 'asc' } });
      return rows.map((d) => ({ deploymentId: d.id, ref: d.providerRef! }));
    },

    /**
     * Closes the sessions (their subscribers get `session.closed`), then deletes the project and
     * everything recorded about it, in one transaction; a retry after it committed finds no project.
     */
    async deleteProjectRecords(input: ProjectDeletionInput): Promise<void> {
      // A GitHub project's poll schedule goes first: it would import into a project that is gone.
      await Context.current().client.schedule.getHandle(githubPollScheduleId(input.projectId)).delete().catch(() => undefined);
      await orm.em.fork().transactional(async (em) => {
        const sessions = await em.find(AgentSession, { projectId: input.projectId }, { fields: ['id', 'status'] });
        for (const s of sessions.filter((s) => s.status === 'open')) {
          await appendEvents(em, topicFor('session', s.id), [{ type: 'session.closed', data: { reason: 'project_deleted' }, key: `session-closed:${s.id}` }]);
        }
        const project = await em.findOne(Project, input.projectId);
        if (!project) return;
        const connection = em.getConnection();
        const ctx = em.getTransactionContext();
        for (const table of ['session_messages', 'session_summaries']) {
          await connection.execute(`delete from ${table} where session_id in (select id from agent_sessions where project_id = ?)`, [input.projectId], 'run', ctx);
        }
        for (const table of ['agent_jobs', 'agent_sessions', 'previews', 'deployments']) {
          await connection.execute(`delete from ${table} where project_id = ?`, [input.projectId], 'run', ctx);
        }
        await appendEvents(em, topicFor('project', input.projectId), [{ type: 'project.deleted', data: { deletionId: input.deletionId }, key: `project-deleted:${input.deletionId}` }]);
        await recordAuditOnce(em, `project-deleted:${input.deletionId}`, {
          actorId: input.actorId,
          organizationId: input.organizationId,
          action: 'project.deleted',
          targetType: 'project',
          targetId: input.projectId,
          details: { name: project.name, slug: project.slug, deletionId: input.deletionId },
        });
        // Versions and their file lists go with the project (FK cascade); blobs stay, shared by hash.
        await em.nativeDelete(Project, { id: input.projectId });
      });
    },
  };
}
