import type { EventDraft, JobPatch } from '../../domain/agent-workflows';

export interface JobReport {
  patch: JobPatch;
  events: EventDraft[];
}

/**
 * A job's row updates and durable events on their way to `reportJob`. Batched, reports are merged
 * (later fields win, events keep their order and keys) and sent by `flush()`, which the workflow
 * calls before anything a client waits through: a model call, a check, a wait for the user, the
 * end. So a client sees each stage as it starts, and a stage costs one write instead of three.
 * Unbatched (runs from before the lean patch), every report is sent at once, as it always was.
 */
export function jobReporter(send: (report: JobReport) => Promise<void>, batch: boolean) {
  let queued: JobReport | null = null;

  const flush = async (): Promise<void> => {
    if (!queued) return;
    const report = queued;
    queued = null;
    await send(report);
  };

  const report = async (patch: JobPatch, events: EventDraft[]): Promise<void> => {
    queued = queued ? { patch: { ...queued.patch, ...patch }, events: [...queued.events, ...events] } : { patch, events };
    if (!batch) await flush();
  };

  return { report, flush };
}
