import { Worker, type NativeConnection } from '@temporalio/worker';
import type { MikroORM } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import { taskQueues, type TaskQueues } from '../domain/task-queues';
import { createWorkerActivities, type WorkerActivities } from './activities';
import type { ForgeMetrics } from './forge-metrics';
import { traceLlmCalls } from './llm-spans';
import { tracingWorkerOptions } from './tracing-options';
import { startTracing, type Tracing } from '../telemetry/tracing';
import { deploymentOptions, type WorkerBuild } from './versioning';
import { loadWorkflowBundle, type LoadedBundle } from './workflow-bundle-cache';

export interface CreateWorkersOptions {
  connection: NativeConnection;
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to the configured queue names; tests pass unique ones. */
  taskQueues?: TaskQueues;
  /** Defaults to the cached bundle of the current code; callers creating several sets of workers pass one. */
  workflows?: LoadedBundle;
  /** Defaults to the real activities; tests wrap them to inject faults. */
  activities?: WorkerActivities;
  /** Where spans go (telemetry/tracing.ts); absent: tracing off (workflow spans are still discarded properly). */
  tracing?: Tracing;
  /** Measures model calls and builds (worker/forge-metrics.ts); absent: unmeasured. */
  metrics?: ForgeMetrics;
  /** The Worker Deployment version both workers join (worker/versioning.ts); absent: unversioned. */
  build?: WorkerBuild | undefined;
}

export interface ForgeWorkers {
  agents: Worker;
  builds: Worker;
}

/** One worker per task queue on the process's single connection. */
export async function createWorkers(options: CreateWorkersOptions): Promise<ForgeWorkers> {
  const { connection, orm, config } = options;
  const queues = options.taskQueues ?? taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  const plain = options.activities ?? createWorkerActivities({ orm, config });
  const measure = <T extends WorkerActivities[keyof WorkerActivities]>(set: T) => traceLlmCalls(options.metrics ? options.metrics.instrument(set) : set);
  const activities = { agents: measure(plain.agents), builds: measure(plain.builds) };
  const workflows = options.workflows ?? (await loadWorkflowBundle());
  const shared = {
    connection,
    ...deploymentOptions(options.build),
    ...tracingWorkerOptions(options.tracing ?? startTracing({ serviceName: 'forge-worker' })),
    namespace: config.TEMPORAL_NAMESPACE,
    // In-flight activities get this long to finish after shutdown starts; later they are cancelled
    // and retried elsewhere. The force time bounds a shutdown that hangs, so the process can exit.
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
    shutdownForceTime: config.WORKER_SHUTDOWN_GRACE_MS + 10_000,
  };
  const [agents, builds] = await Promise.all([
    Worker.create({ ...shared, taskQueue: queues.agents, workflowBundle: workflows.bundle, activities: activities.agents }),
    Worker.create({
      ...shared,
      taskQueue: queues.builds,
      activities: activities.builds,
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_BUILDS,
    }),
  ]);
  return { agents, builds };
}
