import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { localServerHost } from '../activities/deployments/delivery-context';
import { ensurePreviewReaperSchedule } from '../activities/deployments/reaper-schedule';
import { restoreLocalServers } from '../activities/deployments/restore-local-servers';
import type { Logger } from 'pino';
import { initOrm } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import { createWorkers } from './create-workers';
import { temporalLogger } from './logging';
import { watchPreviewsLive } from './previews-live';
import { runWorkers } from './run-workers';
import { installWorkerRuntime } from './telemetry';
import { startTracing } from '../telemetry/tracing';
import type { ShutdownSignals } from './shutdown-signal';
import { setCurrentVersion, setsCurrentVersion, workerBuild } from './versioning';
import { loadWorkflowBundle } from './workflow-bundle-cache';

/** One ORM, one Temporal connection, one worker per task queue; returns once all have drained. */
export async function runWorkerProcess(config: WorkerConfig, logger: Logger, signals: ShutdownSignals): Promise<void> {
  const metrics = installWorkerRuntime(config, logger);
  const tracing = startTracing({ serviceName: 'forge-worker', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  // The bundle (cached: milliseconds; after a code change: webpack) loads while the connections open.
  const [workflows, orm, connection] = await Promise.all([
    loadWorkflowBundle({ logger: temporalLogger(logger) }),
    initOrm(config.DATABASE_URL),
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
  ]);
  const build = workerBuild(config, workflows.hash);
  logger.info({ bundle: workflows.hash, cached: workflows.cached, ...build }, 'workflow bundle loaded');
  try {
    const workers = await createWorkers({ connection, orm, config, workflows, build, metrics, tracing });
    const stopWatching = config.WORKER_METRICS_ADDRESS ? watchPreviewsLive(orm, metrics) : () => undefined;
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    if (config.PREVIEW_REAPER_SCHEDULE === 'on' || (config.PREVIEW_REAPER_SCHEDULE === 'auto' && !config.TEMPORAL_TASK_QUEUE_PREFIX)) {
      await ensurePreviewReaperSchedule(client, workers.agents.options.taskQueue);
    }
    // Previews and deployments halted when the stack last stopped come back before jobs run.
    const restored = await restoreLocalServers(orm, localServerHost(config)).catch((error: Error) => logger.warn({ error: error.message }, 'local servers not restored'));
    if (restored && (restored.restarted.length || restored.failed.length)) logger.info(restored, 'local servers restored');
    signals.armDraining();
    const running = runWorkers(Object.values(workers), signals.stop);
    // The version exists once these workers poll; promoting it is the dev stack's rollout in one
    // step, done before "polling" is announced so that new work started after it lands here.
    if (build && setsCurrentVersion(config)) {
      await setCurrentVersion(client, build).then(
        () => logger.info(build, 'current version set'),
        (error: unknown) => logger.error({ err: error, ...build }, 'could not set the current version'),
      );
    }
    logger.info({ agents: workers.agents.options.taskQueue, builds: workers.builds.options.taskQueue, ...build }, 'worker polling');
    await running.finally(stopWatching);
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await Promise.allSettled([orm.close(), tracing.shutdown()]);
  }
}
