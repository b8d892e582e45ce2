import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type * as buildProbe from '../activities/builds/workspace-probe';
import type { createStackCheckActivities } from '../activities/system/stack-check';
import type { StackCheckInput, StackCheckResult } from '../domain/stack-check';
import { buildsQueueFor } from '../domain/task-queues';
import { build, storageWrite } from './activity-options';

const storage = proxyActivities<ReturnType<typeof createStackCheckActivities>>(storageWrite);

/**
 * End-to-end probe of the stack: this workflow (agents queue) asks a builder (builds queue) about
 * its workspace, then records the outcome in Postgres. Operators run it after a deploy.
 */
export async function stackCheckWorkflow(input: StackCheckInput): Promise<StackCheckResult> {
  const builds = proxyActivities<typeof buildProbe>({ ...build, taskQueue: buildsQueueFor(workflowInfo().taskQueue) });

  setCurrentDetails('Probing the build workspace');
  const workspace = await builds.probeBuildWorkspace();

  setCurrentDetails('Recording the outcome in the audit log');
  const record = await storage.recordStackCheck({ organizationId: input.organizationId ?? null, workspace });

  setCurrentDetails(`Passed at ${record.at}`);
  return { ok: workspace.scratchWritable, at: record.at, auditLogId: record.auditLogId, workspace };
}
