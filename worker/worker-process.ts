import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { failLocalRowsWithoutBuild } from '../activities/deployments/restore-local-servers';
import { ensurePreviewReaperSchedule } from '../activities/deployments/reaper-schedule';
import type { Logger } from 'pino';
import { initOrm } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import { createAgentsWorker } from './create-workers';
import { temporalLogger } from './logging';
import { watchPreviewsLive } from './previews-live';
import { runWorkers } from './run-workers';
import { installWorkerRuntime } from './telemetry';
import { startTracing } from '../telemetry/tracing';
import type { ShutdownSignals } from './shutdown-signal';
import { setCurrentVersion, setsCurrentVersion, workerBuild } from './versioning';
import { loadWorkflowBundle } from './workflow-bundle-cache';

/** One ORM, one Temporal connection, the agents worker; returns once it has drained. */
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
    const agents = await createAgentsWorker({ connection, orm, config, workflows, build, metrics, tracing });
    const stopWatching = config.WORKER_METRICS_ADDRESS ? watchPreviewsLive(orm, metrics) : () => undefined;
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    if (config.PREVIEW_REAPER_SCHEDULE === 'on' || (config.PREVIEW_REAPER_SCHEDULE === 'auto' && !config.TEMPORAL_TASK_QUEUE_PREFIX)) {
      await ensurePreviewReaperSchedule(client, agents.options.taskQueue);
    }
    // Builders restart halted local servers; a row whose build is gone can never come back.
    const failed = await failLocalRowsWithoutBuild(orm).catch((error: Error) => logger.warn({ error: error.message }, 'local rows not checked'));
    if (failed?.length) logger.info({ failed }, 'local previews and deployments without a build marked failed');
    signals.armDraining();
    const running = runWorkers([agents], signals.stop);
    // The version exists once these workers poll; promoting it is the dev stack's rollout in one
    // step, done before "polling" is announced so that new work started after it lands here.
    if (build && setsCurrentVersion(config)) {
      await setCurrentVersion(client, build).then(
        () => logger.info(build, 'current version set'),
        (error: unknown) => logger.error({ err: error, ...build }, 'could not set the current version'),
      );
    }
    logger.info({ agents: agents.options.taskQueue, ...build }, 'worker polling');
    await running.finally(stopWatching);
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await Promise.allSettled([orm.close(), tracing.shutdown()]);
  }
}
