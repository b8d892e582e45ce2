import { Worker, type NativeConnection } from '@temporalio/worker';
import type { MikroORM } from '../db/orm';
import type { BuilderConfig, WorkerConfig } from '../domain/config';
import { taskQueues, type TaskQueues } from '../domain/task-queues';
import { createBuildActivities, type BuildActivities } from '../activities/builds/build-activities';
import { createAgentActivities, type WorkerActivities } from './activities';
import { withTypedFailures } from '../activities/activity-failure';
import type { ForgeMetrics } from './forge-metrics';
import { traceLlmCalls } from './llm-spans';
import { tracingWorkerOptions } from './tracing-options';
import { startTracing, type Tracing } from '../telemetry/tracing';
import { deploymentOptions, type WorkerBuild } from './versioning';
import { loadWorkflowBundle, type LoadedBundle } from './workflow-bundle-cache';

type SharedConfig = Pick<BuilderConfig, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE_PREFIX' | 'WORKER_SHUTDOWN_GRACE_MS'>;

/** What every worker of a process shares: where it runs, which build it is, where its spans and meters go. */
interface WorkerRuntimeOptions {
  connection: NativeConnection;
  /** Defaults to the configured queue names; tests pass unique ones. */
  taskQueues?: TaskQueues;
  /** Where spans go (telemetry/tracing.ts); absent: tracing off (the spans of runs a tracing API started are discarded). */
  tracing?: Tracing;
  /** Measures model calls and builds (worker/forge-metrics.ts); absent: unmeasured. */
  metrics?: ForgeMetrics;
  /**
   * The Worker Deployment version the worker joins (worker/versioning.ts); absent: unversioned. The
   * agents worker and the builder join the same one, so the activities a pinned job schedules on
   * `forge-builds` reach builders of its build.
   */
  build?: WorkerBuild | undefined;
}

function sharedOptions(options: WorkerRuntimeOptions, config: SharedConfig, serviceName: string) {
  return {
    connection: options.connection,
    ...deploymentOptions(options.build),
    ...tracingWorkerOptions(options.tracing ?? startTracing({ serviceName })),
    namespace: config.TEMPORAL_NAMESPACE,
    // In-flight activities get this long to finish after shutdown starts; later they are cancelled
    // and retried elsewhere. The force time bounds a shutdown that hangs, so the process can exit.
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
    shutdownForceTime: config.WORKER_SHUTDOWN_GRACE_MS + 10_000,
  };
}

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;
/** Where the worker registers a set: one typed-failure boundary (domain/errors.ts's table), then spans and meters. */
const measured = <T extends Activities>(set: T, metrics: ForgeMetrics | undefined): T => {
  const typed = withTypedFailures(set as unknown as Parameters<typeof withTypedFailures>[0]) as unknown as T;
  return traceLlmCalls(metrics ? metrics.instrument(typed) : typed);
};

export interface AgentsWorkerOptions extends WorkerRuntimeOptions {
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to the cached bundle of the current code; callers creating several workers pass one. */
  workflows?: LoadedBundle;
  /** Defaults to the real activities; tests wrap them to inject faults. */
  activities?: WorkerActivities['agents'];
}

/** The agents worker (`forge-agents`): workflows plus LLM, storage, provider and bookkeeping activities. */
export async function createAgentsWorker(options: AgentsWorkerOptions): Promise<Worker> {
  const { orm, config } = options;
  const queues = options.taskQueues ?? taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  return Worker.create({
    ...sharedOptions(options, config, 'forge-worker'),
    taskQueue: queues.agents,
    workflowBundle: (options.workflows ?? (await loadWorkflowBundle())).bundle,
    activities: measured(options.activities ?? createAgentActivities({ orm, config }), options.metrics),
  });
}

export interface BuilderWorkerOptions extends WorkerRuntimeOptions {
  config: BuilderConfig;
  activities?: BuildActivities;
}

/** The builder's worker (`forge-builds`): activities only, concurrency capped (builds are CPU-bound). */
export function createBuilderWorker(options: BuilderWorkerOptions): Promise<Worker> {
  const { config } = options;
  const queues = options.taskQueues ?? taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  return Worker.create({
    ...sharedOptions(options, config, 'forge-builder'),
    taskQueue: queues.builds,
    activities: measured(options.activities ?? createBuildActivities(config), options.metrics),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_BUILDS,
  });
}

export interface ForgeWorkers {
  agents: Worker;
  builds: Worker;
}
