import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/** One schedule per task-queue prefix, so environments sharing a namespace each reap their own builders. */
export const reaperScheduleId = (agentsQueue: string) => `${agentsQueue}-preview-reaper`;

/**
 * Registers the Temporal Schedule that runs the preview reaper (idempotent: an existing schedule
 * is left as it is). Called by the worker at startup (see PREVIEW_REAPER_SCHEDULE); operators see
 * and pause it in the Temporal UI.
 */
export async function ensurePreviewReaperSchedule(client: Client, agentsQueue: string, every = '5 minutes'): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: reaperScheduleId(agentsQueue),
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'previewReaperWorkflow',
        taskQueue: agentsQueue,
        workflowId: `${reaperScheduleId(agentsQueue)}-run`,
        // A sweep that no builder picks up (its workers are gone) ends instead of blocking the next ones.
        workflowExecutionTimeout: '30 minutes',
        args: [],
        staticSummary: 'Removes provider resources no live preview or deployment owns',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
