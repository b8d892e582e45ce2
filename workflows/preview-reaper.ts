import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { BuildActivities } from '../activities/builds/build-activities';
import type { createReaperActivities, ReapResult } from '../activities/deployments/reaper-activities';
import { buildsQueueFor } from '../domain/task-queues';
import { providerRollout } from './activity-options';

/**
 * One sweep of the preview reaper, started by its Temporal Schedule (reaper-schedule.ts). Providers
 * with credentials are swept on the agents side; the local provider's servers live on builders,
 * which list and remove them while the agents side judges ownership (it has the database).
 */
export async function previewReaperWorkflow(): Promise<ReapResult> {
  // Listing and removing across providers: provider calls, heartbeating per resource checked.
  const reaper = proxyActivities<ReturnType<typeof createReaperActivities>>(providerRollout);
  const builder = proxyActivities<BuildActivities>({ ...providerRollout, taskQueue: buildsQueueFor(workflowInfo().taskQueue) });
  setCurrentDetails('Sweeping provider resources');
  const result = await reaper.reapOrphanedResources();
  const local = await builder.listLocalResources();
  const orphans = await reaper.unownedResources({ resources: local });
  for (const resource of orphans) await builder.removeResource({ organizationId: '', provider: 'local', resource });
  const swept: ReapResult = { checked: result.checked + local.length, removed: [...result.removed, ...orphans.map((r) => `local:${r}`)], skipped: result.skipped };
  setCurrentDetails(`Checked ${swept.checked}, removed ${swept.removed.length}${swept.skipped.length ? `, skipped ${swept.skipped.join(', ')}` : ''}`);
  return swept;
}
