import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import './quiet-runtime';
import { inject } from 'vitest';
import { initOrm, type MikroORM } from '../../db/orm';
import { BuilderConfig, parseWorkerConfig, type WorkerConfig } from '../../domain/config';
import { taskQueues, type TaskQueues } from '../../domain/task-queues';
import { createWorkerActivities, type WorkerActivities } from '../../worker/activities';
import { createAgentsWorker, createBuilderWorker, type ForgeWorkers } from '../../worker/create-workers';
import { loadWorkflowBundle, type LoadedBundle } from '../../worker/workflow-bundle-cache';
import { runWorkers } from '../../worker/run-workers';
import type { WorkerBuild } from '../../worker/versioning';
import type { Tracing } from '../../telemetry/tracing';
import { testNamespaceFor } from './test-app';


/**
 * What an integration test needs to run workflows for real: the run's database, a worker-side
 * NativeConnection and a client Connection to the dev server, one of each per test file.
 */
export interface WorkerTestEnv {
  orm: MikroORM;
  connection: NativeConnection;
  client: Client;
  close: () => Promise<void>;
}

export function testWorkerConfig(overrides: Partial<Record<keyof WorkerConfig, string>> = {}): WorkerConfig {
  return parseWorkerConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: testNamespaceFor(overrides.TEMPORAL_ADDRESS),
    ...overrides,
  });
}

/** `overrides.TEMPORAL_ADDRESS` points at a test's own Temporal server. */
export async function openWorkerTestEnv(overrides: Partial<Record<keyof WorkerConfig, string>> = {}): Promise<WorkerTestEnv> {
  const config = testWorkerConfig(overrides);
  const orm = await initOrm(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    orm,
    connection,
    client,
    close: async () => {
      await Promise.all([connection.close(), clientConnection.close()]);
      await orm.close();
    },
  };
}

/** Queues no other test polls, so a test's workflows only ever meet its own workers. */
export const uniqueTaskQueues = (): TaskQueues => taskQueues(`test-${randomUUID()}-`);

let bundle: Promise<LoadedBundle> | undefined;
/** The bundle global-setup built (or found) in the cache: read once per test file, no webpack. */
const workflows = () => (bundle ??= loadWorkflowBundle());

export interface RunningWorkers {
  /** The workers this fixture started (a builder in a process of its own is not among them). */
  workers: Partial<ForgeWorkers>;
  /** Settles when every worker has stopped; rejects if one failed. */
  running: Promise<void>;
  /** Starts the graceful shutdown (what SIGTERM does in worker/main.ts). */
  requestStop: () => void;
  /** Stops and waits. */
  stop: () => Promise<void>;
}

/**
 * Starts the real agents worker (worker/main.ts) and builds worker (worker/builder-main.ts) in this
 * process, on one connection. `only: 'agents'` leaves builds to a builder process of the test's own
 * (spawned-worker.ts), as the abuse and crash tests need.
 */
export async function startTestWorkers(
  env: WorkerTestEnv,
  options: { taskQueues: TaskQueues; activities?: WorkerActivities; shutdownGraceMs?: number; build?: WorkerBuild; tracing?: Tracing; only?: 'agents' },
): Promise<RunningWorkers> {
  // The namespace of the server this env is connected to (a test's own server has only `default`).
  const config = testWorkerConfig({ WORKER_SHUTDOWN_GRACE_MS: String(options.shutdownGraceMs ?? 0), TEMPORAL_NAMESPACE: env.client.options.namespace });
  const activities = options.activities ?? createWorkerActivities({ orm: env.orm, config: testWorkerConfig() });
  const shared = { connection: env.connection, taskQueues: options.taskQueues, build: options.build, tracing: options.tracing };
  const [agents, builds] = await Promise.all([
    createAgentsWorker({ ...shared, orm: env.orm, config, workflows: await workflows(), activities: activities.agents }),
    options.only === 'agents' ? undefined : createBuilderWorker({ ...shared, config: BuilderConfig.parse(config), activities: activities.builds }),
  ]);
  const workers: Partial<ForgeWorkers> = builds ? { agents, builds } : { agents };
  const stopController = new AbortController();
  const running = runWorkers(Object.values(workers), stopController.signal);
  const requestStop = () => stopController.abort();
  return {
    workers,
    running,
    requestStop,
    stop: async () => {
      requestStop();
      await running;
    },
  };
}
