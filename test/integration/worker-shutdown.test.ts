import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TaskQueues } from '../../domain/task-queues';
import { stackCheckWorkflowId } from '../../domain/workflow-ids';
import { createWorkerActivities, type WorkerActivities } from '../../worker/activities';
import type { stackCheckWorkflow } from '../../workflows/stack-check';
import { openWorkerTestEnv, startTestWorkers, testWorkerConfig, uniqueTaskQueues, type WorkerTestEnv } from '../support/test-workers';

let env: WorkerTestEnv;
beforeAll(async () => { env = await openWorkerTestEnv(); });
afterAll(async () => env?.close());

/**
 * The real activities, except that the build probe first works for ~1.5 s with heartbeats, like a
 * compile check. `outcomes` records how each attempt ended.
 */
function slowBuildActivities(started: () => void) {
  const real = createWorkerActivities({ orm: env.orm, config: testWorkerConfig() });
  const outcomes: string[] = [];
  const activities: WorkerActivities = {
    ...real,
    builds: {
      ...real.builds,
      async probeBuildWorkspace() {
        started();
        try {
          for (let i = 0; i < 6; i++) {
            Context.current().heartbeat(i);
            await Context.current().sleep(250);
          }
        } catch (error) {
          outcomes.push('cancelled');
          throw error;
        }
        outcomes.push('completed');
        return real.builds.probeBuildWorkspace();
      },
    },
  };
  return { activities, outcomes };
}

/** Starts a stack check, stops the workers while the build probe is in flight, then lets fresh workers finish it. */
async function shutdownMidBuild(shutdownGraceMs: number) {
  const queues: TaskQueues = uniqueTaskQueues();
  const { promise: probeStarted, resolve } = Promise.withResolvers<void>();
  const { activities, outcomes } = slowBuildActivities(resolve);
  const first = await startTestWorkers(env, { taskQueues: queues, activities, shutdownGraceMs });
  const handle = await env.client.workflow.start<typeof stackCheckWorkflow>('stackCheckWorkflow', {
    taskQueue: queues.agents,
    workflowId: stackCheckWorkflowId(randomUUID()),
    args: [{ organizationId: null }],
  });
  await probeStarted;

  const stopAt = Date.now();
  first.requestStop();
  await first.running;
  const drainMs = Date.now() - stopAt;
  const outcomesAtStop = [...outcomes];

  const second = await startTestWorkers(env, { taskQueues: queues, activities });
  try {
    const result = await handle.result();
    return { result, drainMs, outcomesAtStop, outcomes };
  } finally {
    await second.stop();
  }
}

it('lets an in-flight activity finish within the grace time, so it is not run again', async () => {
  const { result, drainMs, outcomesAtStop, outcomes } = await shutdownMidBuild(5_000);

  expect(outcomesAtStop).toEqual(['completed']);
  expect(drainMs).toBeGreaterThan(800); // shutdown waited for the remaining work...
  expect(drainMs).toBeLessThan(5_000); // ...within the grace time
  expect(outcomes).toEqual(['completed']); // the fresh workers had nothing to redo
  expect(result.ok).toBe(true);
});

it('cancels an activity still running when the grace time ends; it is retried and the workflow still completes', async () => {
  const { result, outcomesAtStop, outcomes } = await shutdownMidBuild(100);

  expect(outcomesAtStop).toEqual(['cancelled']);
  expect(outcomes).toEqual(['cancelled', 'completed']);
  expect(result.ok).toBe(true);
});
