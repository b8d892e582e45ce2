import type { Logger } from 'pino';

export interface ShutdownSignals {
  /** Aborted by the first SIGINT/SIGTERM once draining is armed. */
  stop: AbortSignal;
  /** Called when workers start running: from then on a signal drains instead of exiting. */
  armDraining: () => void;
}

/**
 * SIGINT/SIGTERM for the worker process, installed before anything slow loads. While the process
 * is still starting nothing is in flight, so a signal exits at once (0). Once the workers run, the
 * first signal drains them gracefully; a second one, from an operator who insists, exits at once (1).
 */
export function handleShutdownSignals(logger: Logger): ShutdownSignals {
  const controller = new AbortController();
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!draining) {
      logger.info({ signal }, 'stopped while starting: nothing in flight');
      process.exit(0);
    }
    if (controller.signal.aborted) {
      logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: draining in-flight activities');
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { stop: controller.signal, armDraining: () => void (draining = true) };
}
