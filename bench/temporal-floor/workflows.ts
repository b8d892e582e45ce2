// The command sequence of a codegen job that needs no fix, with nothing inside: what Temporal alone
// costs a job of that shape (bench/temporal-floor.ts). Every step does no work and returns at once.
import { condition, defineSignal, executeChild, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';

export interface FloorActivities {
  step(): Promise<void>;
}

const options = { startToCloseTimeout: '1 minute' } as const;
const local = proxyLocalActivities<FloorActivities>(options);
const remote = proxyActivities<FloorActivities>(options);

/** The session's shape: a message arrives as a signal, the job runs as its child. */
export async function floorSession(buildsQueue: string): Promise<void> {
  let received = false;
  setHandler(messageSignal, () => void (received = true));
  await condition(() => received);
  await executeChild(floorJob, { args: [buildsQueue], workflowId: `${workflowInfo().workflowId}-job` });
}

export const messageSignal = defineSignal('message');

/**
 * The job's shape (workflows/codegen-job.ts): a local activity (loadBaseVersion), three activities on
 * its own queue (classifyIntent, planChanges, generateFiles), two local ones (readCheckFiles, the
 * check stage's report), one on the builds queue (typeCheckFiles), two local ones (saveJobVersion,
 * the final report).
 */
export async function floorJob(buildsQueue: string): Promise<void> {
  const builds = proxyActivities<FloorActivities>({ ...options, taskQueue: buildsQueue });
  await local.step();
  for (let i = 0; i < 3; i++) await remote.step();
  await local.step();
  await local.step();
  await builds.step();
  await local.step();
  await local.step();
}
