import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { localServerHost } from '../activities/deployments/delivery-context';
import { ensurePreviewReaperSchedule } from '../activities/deployments/reaper-schedule';
import { restoreLocalServers } from '../activities/deployments/restore-local-servers';
import type { Logger } from 'pino';
import { initOrm } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import { createWorkers } from './create-workers';
import { temporalLogger } from './logging';
import { runWorkers } from './run-workers';
import type { ShutdownSignals } from './shutdown-signal';
import { loadWorkflowBundle } from './workflow-bundle-cache';

/** One ORM, one Temporal connection, one worker per task queue; returns once all have drained. */
export async function runWorkerProcess(config: WorkerConfig, logger: Logger, signals: ShutdownSignals): Promise<void> {
  Runtime.install({
    logger: temporalLogger(logger),
    // Signals are handled by shutdown-signal.ts, which also covers a worker still starting.
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  // The bundle (cached: milliseconds; after a code change: webpack) loads while the connections open.
  const [workflows, orm, connection] = await Promise.all([
    loadWorkflowBundle({ logger: temporalLogger(logger) }),
    initOrm(config.DATABASE_URL),
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
  ]);
  logger.info({ bundle: workflows.hash, cached: workflows.cached }, 'workflow bundle loaded');
  try {
    const workers = await createWorkers({ connection, orm, config, workflows });
    if (config.PREVIEW_REAPER_SCHEDULE === 'on' || (config.PREVIEW_REAPER_SCHEDULE === 'auto' && !config.TEMPORAL_TASK_QUEUE_PREFIX)) {
      await ensurePreviewReaperSchedule(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), workers.agents.options.taskQueue);
    }
    // Previews and deployments halted when the stack last stopped come back before jobs run.
    const restored = await restoreLocalServers(orm, localServerHost(config)).catch((error: Error) => logger.warn({ error: error.message }, 'local servers not restored'));
    if (restored && (restored.restarted.length || restored.failed.length)) logger.info(restored, 'local servers restored');
    signals.armDraining();
    logger.info({ agents: workers.agents.options.taskQueue, builds: workers.builds.options.taskQueue }, 'worker polling');
    await runWorkers(Object.values(workers), signals.stop);
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await orm.close();
  }
}
