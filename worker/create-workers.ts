import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Logger as TemporalLogger } from '@temporalio/common';
import type { MikroORM } from '../db/orm';
import type { BuilderConfig, WorkerConfig } from '../domain/config';
import { taskQueues, type TaskQueues } from '../domain/task-queues';
import { createBuildActivities, type BuildActivities } from '../activities/builds/build-activities';
import { createAgentActivities, type WorkerActivities } from './activities';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundles workflows/ (a few seconds of webpack): once per process, shared by its workers. */
export function bundleWorkflows(logger?: TemporalLogger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, ...(logger ? { logger } : {}) });
}

type SharedConfig = Pick<BuilderConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE_PREFIX' | 'WORKER_SHUTDOWN_GRACE_MS'>;

function sharedOptions(connection: NativeConnection, config: SharedConfig) {
  return {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    // In-flight activities get this long to finish after shutdown starts; later they are cancelled
    // and retried elsewhere. The force time bounds a shutdown that hangs, so the process can exit.
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
    shutdownForceTime: config.WORKER_SHUTDOWN_GRACE_MS + 10_000,
  };
}

export interface AgentsWorkerOptions {
  connection: NativeConnection;
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to the configured queue names; tests pass unique ones. */
  taskQueues?: TaskQueues;
  /** Defaults to a fresh bundle; callers creating several workers pass one. */
  workflowBundle?: WorkflowBundle;
  /** Defaults to the real activities; tests wrap them to inject faults. */
  activities?: WorkerActivities['agents'];
}

/** The agents worker (`forge-agents`): workflows plus LLM, storage, provider and bookkeeping activities. */
export async function createAgentsWorker(options: AgentsWorkerOptions): Promise<Worker> {
  const { connection, orm, config } = options;
  const queues = options.taskQueues ?? taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  return Worker.create({
    ...sharedOptions(connection, config),
    taskQueue: queues.agents,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    activities: options.activities ?? createAgentActivities({ orm, config }),
  });
}

export interface BuilderWorkerOptions {
  connection: NativeConnection;
  config: BuilderConfig;
  taskQueues?: TaskQueues;
  activities?: BuildActivities;
}

/** The builder's worker (`forge-builds`): activities only, concurrency capped (builds are CPU-bound). */
export function createBuilderWorker(options: BuilderWorkerOptions): Promise<Worker> {
  const { connection, config } = options;
  const queues = options.taskQueues ?? taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  return Worker.create({
    ...sharedOptions(connection, config),
    taskQueue: queues.builds,
    activities: options.activities ?? createBuildActivities(config),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_BUILDS,
  });
}

export interface ForgeWorkers {
  agents: Worker;
  builds: Worker;
}
