import type { Client } from '@temporalio/client';

/**
 * Ends what a test stack started and left running (sessions idle for a day, previews live for 30
 * minutes, jobs waiting for approval): called by the stacks' close() while their workers still
 * run. Previews and deployments are cancelled, so their compensation stops the servers they
 * started; everything else is terminated. The run's global teardown catches whatever slips past.
 */
export async function endRunningWorkflows(client: Client, taskQueue: string): Promise<void> {
  const running: Array<{ workflowId: string; runId: string }> = [];
  for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
    running.push({ workflowId: w.workflowId, runId: w.runId });
  }
  const delivery = (id: string) => /^(preview|deploy)-/.test(id);
  await Promise.allSettled(running.filter((w) => delivery(w.workflowId)).map(async ({ workflowId, runId }) => {
    const handle = client.workflow.getHandle(workflowId, runId);
    await handle.cancel();
    // Compensation (stop the server, remove the build) takes seconds; past that, terminate.
    const ended = await Promise.race([handle.result().then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    if (!ended) await handle.terminate('test cleanup: compensation did not finish');
  }));
  await Promise.allSettled(running.filter((w) => !delivery(w.workflowId)).map(({ workflowId, runId }) =>
    client.workflow.getHandle(workflowId, runId).terminate('test cleanup')));
}
