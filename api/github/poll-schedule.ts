import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Project } from '../../db/entities/index';
import { githubPollScheduleId } from '../../domain/github';
import type { githubImportWorkflow } from '../../workflows/github-sync';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';

/**
 * Registers the Temporal Schedule that imports pushes made outside Forge every `everySeconds`
 * (the same import as the webhook's: a head already known is a no-op). Idempotent; operators see
 * and pause it in the Temporal UI.
 */
export async function ensureGithubPollSchedule(client: Client, taskQueue: string, project: Project, everySeconds: number): Promise<void> {
  if (everySeconds <= 0) return;
  try {
    await client.schedule.create({
      scheduleId: githubPollScheduleId(project.id),
      spec: { intervals: [{ every: `${everySeconds} seconds` }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'githubImportWorkflow',
        taskQueue,
        workflowId: `${githubPollScheduleId(project.id)}-run`,
        args: [{ projectId: project.id, source: 'external' }] satisfies Parameters<typeof githubImportWorkflow>,
        workflowExecutionTimeout: '10 minutes',
        staticSummary: `Poll GitHub for pushes to project ${project.name}`,
        typedSearchAttributes: searchAttributesOf.githubImport({ organizationId: project.organization.id, projectId: project.id }),
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}

export async function removeGithubPollSchedule(client: Client, projectId: string): Promise<void> {
  await client.schedule.getHandle(githubPollScheduleId(projectId)).delete().catch((err: unknown) => {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  });
}
