import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../domain/config';
import { createForgeMetrics, type ForgeMetrics } from './forge-metrics';
import { temporalLogger } from './logging';

/**
 * The process's Temporal Runtime (once per process): SDK logs into pino, and with
 * WORKER_METRICS_ADDRESS a Prometheus endpoint serving the SDK's metrics (`temporal_*`: task
 * latencies, slots, pollers, sticky cache) and Forge's (`forge_*`). Every worker process (agents,
 * builder) calls this first and gets the meters to measure its activities with.
 */
export function installWorkerRuntime(config: Pick<WorkerConfig, 'WORKER_METRICS_ADDRESS'>, logger: Logger): ForgeMetrics {
  Runtime.install({
    logger: temporalLogger(logger),
    // Signals are handled by shutdown-signal.ts, which also covers a worker still starting.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(config.WORKER_METRICS_ADDRESS
        ? { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS, useSecondsForDurations: true } } }
        : {}),
    },
  });
  if (config.WORKER_METRICS_ADDRESS) logger.info({ url: `http://${config.WORKER_METRICS_ADDRESS}/metrics` }, 'metrics endpoint');
  return createForgeMetrics(Runtime.instance().metricMeter);
}
