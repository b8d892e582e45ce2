import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EventDraft } from '../domain/agent-workflows';
import { ForgeStage } from './search-attributes';

/** A durable event as a workflow states it; the progress gives it its key. */
export type ProgressEvent = Omit<EventDraft, 'key'>;

export interface ProgressReport<Patch> {
  patch: Patch;
  events: EventDraft[];
}

export interface ProgressOptions<Stage extends string, Patch extends object> {
  /** Writes one report with the workflow's own recording activity (reportJob, recordPreview, recordDeployment). */
  send: (report: ProgressReport<Patch>) => Promise<void>;
  /** What entering a stage writes: the row patch, the event, and the status line of the Temporal UI. */
  entered: (stage: Stage, detail: string) => { patch: Patch; event: ProgressEvent; details: string };
  /**
   * Batched, reports are merged (later fields win, events keep their order and keys) and sent by
   * `flush()`, which the workflow calls before anything a client waits through (a check, a wait for
   * the user, the end), or handed to the activity a client waits through (`handOff()`: a model call
   * writes it first): a stage costs one write instead of three. Unbatched, each report is sent at
   * once (and `flush()` is a no-op).
   */
  batch?: boolean;
}

/**
 * How a long-running workflow (codegen job, preview, deployment) tells the world where it is: its
 * row and durable events through `send`, its stage as the `ForgeStage` search attribute, and a
 * status line as its current details, so the Temporal UI reads like a log.
 */
export function workflowProgress<Stage extends string, Patch extends object>({ send, entered, batch = false }: ProgressOptions<Stage, Patch>) {
  // Keys from the workflow, the run and a counter: replay-stable, so a retried activity appends each
  // event once, while a new run (a job's retry) writes its own events.
  let count = 0;
  const key = () => `${workflowInfo().workflowId}:${workflowInfo().runId}:${++count}`;
  let queued: ProgressReport<Patch> | null = null;
  // Handed to an activity that writes it first (handOff), until that activity has completed.
  let handedOff: ProgressReport<Patch> | null = null;
  const merged = (a: ProgressReport<Patch> | null, b: ProgressReport<Patch> | null): ProgressReport<Patch> | null =>
    a && b ? { patch: { ...a.patch, ...b.patch }, events: [...a.events, ...b.events] } : (a ?? b);

  /** Sends what is queued, and again what an activity was handed but may not have written (it failed or never ran): writes are keyed. */
  const flush = async (): Promise<void> => {
    const next = merged(handedOff, queued);
    if (!next) return;
    handedOff = null;
    queued = null;
    await send(next);
  };

  const report = async (patch: Patch, events: ProgressEvent[] = []): Promise<void> => {
    const keyed = events.map((e) => ({ ...e, key: key() }));
    queued = merged(queued, { patch, events: keyed });
    if (!batch) await flush();
  };

  /**
   * What is queued, for the next activity to write before its own work (its input carries it), instead
   * of a write of its own: the stage's report and its model call cost one task. Kept until
   * `received()`, so a flush after a failed or cancelled activity sends it again.
   */
  const handOff = (): ProgressReport<Patch> | null => {
    handedOff = merged(handedOff, queued);
    queued = null;
    return handedOff;
  };
  /** The activity that was handed the report has completed: it wrote it. */
  const received = (): void => {
    handedOff = null;
  };

  /** Shows a stage in the Temporal UI only (a transition whose report the workflow writes itself). */
  const show = (stage: Stage, details: string): void => {
    upsertSearchAttributes([{ key: ForgeStage, value: stage }]);
    setCurrentDetails(details);
  };

  const enter = async (stage: Stage, detail: string): Promise<void> => {
    const { patch, event, details } = entered(stage, detail);
    show(stage, details);
    await report(patch, [event]);
  };

  return { report, enter, show, flush, handOff, received };
}
