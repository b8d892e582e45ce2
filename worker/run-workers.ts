import type { Worker } from '@temporalio/worker';

/** Stops polling on every running worker; in-flight activities get the configured grace time. */
export function shutdownWorkers(workers: Worker[]): void {
  for (const worker of workers) {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

/**
 * Runs the workers until all have stopped, shutting them down when `stop` fires. If one fails,
 * the others are stopped too: the process then exits for its supervisor to restart, rather than
 * living on with one task queue unserved.
 */
export async function runWorkers(workers: Worker[], stop: AbortSignal): Promise<void> {
  const runs = workers.map((worker) =>
    worker.run().catch((error: unknown) => {
      shutdownWorkers(workers);
      throw error;
    }),
  );
  // run() marks a worker RUNNING synchronously, so a stop requested before this point still lands.
  if (stop.aborted) shutdownWorkers(workers);
  else stop.addEventListener('abort', () => shutdownWorkers(workers), { once: true });
  const failure = (await Promise.allSettled(runs)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
