import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { conflict } from '../../domain/errors';
import type { ProjectDeletionDto, ProjectDeletionInput } from '../../domain/project-deletion';
import { projectDeletionWorkflowId } from '../../domain/workflow-ids';
import type { Project } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import type { projectDeletionWorkflow } from '../../workflows/project-deletion';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';

/** Nothing new starts on a project being deleted: what runs would outlive the deletion's sweep. */
export function refuseWhileDeleting(project: Project): void {
  if (project.deletionId) throw conflict('This project is being deleted');
}

/**
 * Starts (or finds) the project's deletion. The id is recorded on the project before the workflow
 * starts, so new work is refused from then on; a DELETE while one runs answers the running one,
 * and one after a failed deletion starts it again (every step of it is repeatable).
 */
export async function startProjectDeletion(ctx: { em: EntityManager; temporal: Client; queue: string; userId: string; ip?: string }, project: Project): Promise<ProjectDeletionDto> {
  const workflowId = projectDeletionWorkflowId(project.id);
  if (project.deletionId) {
    const running = await ctx.temporal.workflow.getHandle(workflowId).describe().then((d) => d.status.name === 'RUNNING', () => false);
    if (running) return { id: project.deletionId, projectId: project.id, status: 'deleting' };
  }
  const input: ProjectDeletionInput = { deletionId: randomUUID(), projectId: project.id, organizationId: project.organization.id, actorId: ctx.userId };
  project.deletionId = input.deletionId;
  recordAudit(ctx.em, { actorId: ctx.userId, organizationId: input.organizationId, action: 'project.delete', targetType: 'project', targetId: project.id, ip: ctx.ip ?? null, details: { name: project.name, slug: project.slug, deletionId: input.deletionId } });
  await ctx.em.flush();
  try {
    await ctx.temporal.workflow.start<typeof projectDeletionWorkflow>('projectDeletionWorkflow', {
      workflowId,
      taskQueue: ctx.queue,
      args: [input],
      staticSummary: `Delete project ${project.name} (${project.id}) and everything running for it`,
      typedSearchAttributes: searchAttributesOf.projectDeletion({ organizationId: input.organizationId, projectId: project.id }),
    });
  } catch (err) {
    // Two DELETEs racing: the other one started it; its id is on the project now.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await ctx.em.refresh(project);
  }
  return { id: project.deletionId!, projectId: project.id, status: 'deleting' };
}
