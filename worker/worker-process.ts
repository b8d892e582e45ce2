import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ensurePreviewReaperSchedule } from '../activities/deployments/reaper-schedule';
import type { Logger } from 'pino';
import { initOrm } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import { createAgentsWorker } from './create-workers';
import { installRuntime } from './logging';
import { runWorkers } from './run-workers';
import type { ShutdownSignals } from './shutdown-signal';

/** One ORM, one Temporal connection, the agents worker; returns once it has drained. */
export async function runWorkerProcess(config: WorkerConfig, logger: Logger, signals: ShutdownSignals): Promise<void> {
  installRuntime(logger);
  const orm = await initOrm(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const agents = await createAgentsWorker({ connection, orm, config });
    if (config.PREVIEW_REAPER_SCHEDULE === 'on' || (config.PREVIEW_REAPER_SCHEDULE === 'auto' && !config.TEMPORAL_TASK_QUEUE_PREFIX)) {
      await ensurePreviewReaperSchedule(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), agents.options.taskQueue);
    }
    signals.armDraining();
    logger.info({ agents: agents.options.taskQueue }, 'worker polling');
    await runWorkers([agents], signals.stop);
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await orm.close();
  }
}
