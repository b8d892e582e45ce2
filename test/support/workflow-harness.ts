import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import './quiet-runtime';
import { inject } from 'vitest';
import { withTypedFailures } from '../../activities/activity-failure';
import { taskQueues, type TaskQueues } from '../../domain/task-queues';
import { loadWorkflowBundle } from '../../worker/workflow-bundle-cache';
import { createFakes, type Fakes } from './fake-activities';
import { endRunningWorkflows } from './leftover-workflows';


/**
 * Workflow tests: the real workflow bundle on the run's Temporal dev server, with every activity
 * replaced by a typed fake (fake-activities.ts), behind the same failure boundary as the real ones. No database, no model, no builds: each branch of
 * a workflow is driven by what its fakes answer. One harness per test file; each test starts its
 * own workers on task queues of its own with `workersFor(fakes)`.
 */
export interface WorkflowHarness {
  client: Client;
  /** Starts agents + builds workers serving `fakes` on fresh queues; stop them with the returned `stop`. */
  workersFor: (fakes?: Fakes) => Promise<FakeWorkers>;
  close: () => Promise<void>;
}

export interface FakeWorkers {
  fakes: Fakes;
  queues: TaskQueues;
  stop: () => Promise<void>;
}

let bundle: ReturnType<typeof loadWorkflowBundle> | undefined;

export async function openWorkflowHarness(): Promise<WorkflowHarness> {
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace });
  const running = new Set<FakeWorkers>();
  const workflowBundle = (await (bundle ??= loadWorkflowBundle())).bundle;

  const workersFor = async (fakes = createFakes()): Promise<FakeWorkers> => {
    const queues = taskQueues(`wf-test-${randomUUID()}-`);
    const shared = { connection, namespace, shutdownGraceTime: 0 };
    const workers = await Promise.all([
      Worker.create({ ...shared, taskQueue: queues.agents, workflowBundle, activities: withTypedFailures({ ...fakes.jobs, ...fakes.codegen, ...fakes.records, ...fakes.channel, ...fakes.builder, ...fakes.reaper }) }),
      Worker.create({ ...shared, taskQueue: queues.builds, activities: withTypedFailures({ ...fakes.checks, ...fakes.builder, ...fakes.reaper }) }),
    ]);
    const runs = workers.map((w) => w.run());
    const set: FakeWorkers = {
      fakes,
      queues,
      stop: async () => {
        running.delete(set);
        await endRunningWorkflows(client, queues.agents);
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.allSettled(runs);
      },
    };
    running.add(set);
    return set;
  };

  return {
    client,
    workersFor,
    close: async () => {
      await Promise.all([...running].map((w) => w.stop()));
      await Promise.all([connection.close(), clientConnection.close()]);
    },
  };
}

/** Polls until `check` holds (a workflow state seen through a query or the fakes' log). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Terminates a workflow a test left running (a failed assertion before its end), ignoring one already closed. */
export const terminateQuietly = (handle: WorkflowHandle) => handle.terminate('test cleanup').catch(() => undefined);
