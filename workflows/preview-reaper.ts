import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { createReaperActivities, ReapResult } from '../activities/deployments/reaper-activities';
import { buildsQueueFor } from '../domain/task-queues';
import { providerRollout } from './activity-options';

/**
 * One sweep of the preview reaper, started by its Temporal Schedule (reaper-schedule.ts). It runs
 * on the builds queue: the local provider's servers live on the builder hosts.
 */
export async function previewReaperWorkflow(): Promise<ReapResult> {
  // Listing and removing across providers: provider calls, heartbeating per resource checked.
  const reaper = proxyActivities<ReturnType<typeof createReaperActivities>>({ ...providerRollout, taskQueue: buildsQueueFor(workflowInfo().taskQueue) });
  setCurrentDetails('Sweeping provider resources');
  const result = await reaper.reapOrphanedResources();
  setCurrentDetails(`Checked ${result.checked}, removed ${result.removed.length}${result.skipped.length ? `, skipped ${result.skipped.join(', ')}` : ''}`);
  return result;
}
