import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionSettings } from '../domain/agents';
import type { PendingMessage, SessionWorkflowInput } from '../domain/agent-workflows';
import { ErrorCode } from '../domain/errors';
import { messageContentProblem } from '../domain/session-limits';
import { jobWorkflowId } from '../domain/workflow-ids';
import type { createJobActivities } from '../activities/agents/job-activities';
import { bookkeeping, storageWrite } from './activity-options';
import { codegenJobWorkflow } from './codegen-job';
import { searchAttributesOf } from './workflow-search-attributes';
import { cancelQueuedMessageUpdate, closeSessionSignal, queueMessageSignal, sendMessageUpdate, type QueuedMessage } from './session-signals';

/** The session's settings with the job's budget lowered to the organization's cap (only arguments change: replay-safe). */
const withCap = (settings: SessionSettings, cap: number | undefined): SessionSettings =>
  cap === undefined ? settings : { ...settings, tokenBudget: Math.min(settings.tokenBudget, cap) };

const jobs = proxyActivities<ReturnType<typeof createJobActivities>>(storageWrite);
const localJobs = proxyLocalActivities<ReturnType<typeof createJobActivities>>(bookkeeping);

/**
 * A chat session: accepts messages as signals the API sends once it has validated and admitted them,
 * and runs each as a child job workflow, strictly in order. Continues-as-new to keep its history
 * short and closes itself after an idle period.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<void> {
  /** `late`: arrived after the session began to close; it ends cancelled instead of running. */
  const pending: Array<PendingMessage & { recorded: boolean; late?: boolean }> = (input.pending ?? []).map((m) => ({ ...m, recorded: true }));
  let closed = false;
  let turns = 0;
  /** The job running as a child now: no longer cancellable through the queue. */
  let running: string | null = null;
  const drop = (jobId: string) => {
    const at = pending.findIndex((m) => m.jobId === jobId);
    if (at >= 0) pending.splice(at, 1);
  };

  setHandler(closeSessionSignal, () => { closed = true; });
  setHandler(queueMessageSignal, ({ jobId, content, actorId, tokenBudget }: QueuedMessage) => {
    // A retried request carries the same job id: its message is queued once.
    if (running === jobId || pending.some((m) => m.jobId === jobId)) return;
    // The API wrote the job's row and `message` event before it signalled: nothing to record here.
    pending.push({ jobId, content: content.trim(), actorId, recorded: true, ...(tokenBudget === undefined ? {} : { tokenBudget }), ...(closed ? { late: true } : {}) });
  });
  setHandler(
    sendMessageUpdate,
    async ({ content, actorId, tokenBudget }) => {
      const message = { jobId: uuid4(), content: content.trim(), actorId, recorded: false, ...(tokenBudget === undefined ? {} : { tokenBudget }) };
      if (patched('session-answer-when-queued')) {
        // Queued is accepted: the update answers in the workflow task that accepted it, with nothing
        // awaited (a local activity would hold that task open). The API writes the job row and its
        // `message` event as soon as this answers; the loop writes them again before the job runs.
        pending.push({ ...message, recorded: true, rowPending: true });
        return { jobId: message.jobId };
      }
      pending.push(message); // queued before the await: acceptance order is run order
      // The job row as a local activity: the update answers within the workflow task that accepted
      // it, with no activity task round trip (POST /sessions/:id/messages waits for this).
      const record = patched('session-local-create-job') ? localJobs.createJob : jobs.createJob;
      try {
        await record({ jobId: message.jobId, sessionId: input.sessionId, projectId: input.projectId, content: message.content, actorId });
      } catch (err) {
        // Never recorded: it must not stay first in the queue, blocking every later message.
        drop(message.jobId);
        throw err;
      }
      message.recorded = true;
      return { jobId: message.jobId };
    },
    {
      validator: ({ content }) => {
        if (closed) throw ApplicationFailure.nonRetryable('This session is closed', ErrorCode.conflict);
        const problem = messageContentProblem(content);
        if (problem) throw ApplicationFailure.nonRetryable(problem, ErrorCode.invalidInput);
      },
    },
  );
  setHandler(
    cancelQueuedMessageUpdate,
    async ({ jobId }) => {
      drop(jobId);
      await endCancelled(jobId);
      return { jobId };
    },
    {
      validator: ({ jobId }) => {
        if (!pending.some((m) => m.jobId === jobId && m.recorded) || running === jobId) {
          throw ApplicationFailure.nonRetryable('This message is not waiting in the queue', ErrorCode.conflict);
        }
      },
    },
  );

  try {
    await runQueue();
  } catch (err) {
    // An operator's cancel: the session still ends closed, in a scope the cancellation cannot reach.
    if (CancellationScope.current().consideredCancelled && patched('session-closes-on-cancel')) {
      await CancellationScope.nonCancellable(() => jobs.closeSession({ sessionId: input.sessionId }));
    }
    throw err;
  }
  await jobs.closeSession({ sessionId: input.sessionId });
  // A signal cannot be refused: what arrived while the session closed ends cancelled, never left queued.
  for (let late = pending.shift(); late; late = pending.shift()) await endCancelled(late.jobId);

  /** A queued message that will never run: its job ends `cancelled`. */
  async function endCancelled(jobId: string): Promise<void> {
    const finished = { type: 'job.finished', data: { status: 'cancelled', resultVersion: null, error: null }, key: `queue-cancelled:${jobId}` };
    await jobs.reportJob({ jobId, patch: { status: 'cancelled', error: null }, events: [finished] });
  }

  async function runQueue(): Promise<void> {
    while (true) {
      setCurrentDetails(`open · ${pending.length} queued · ${turns} turns this run`);
      const ready = () => pending[0]?.recorded === true;
      await condition(() => ready() || closed, input.idleTimeoutSeconds * 1000);
      if (!ready()) {
        // Idle or closed with nothing queued: refuse new messages, let in-flight updates finish, close.
        closed = true;
        await condition(allHandlersFinished);
        if (!ready()) break;
      }
      const next = pending[0]!;
      if (next.late) {
        await endCancelled(next.jobId);
        drop(next.jobId);
        continue;
      }
      running = next.jobId;
      try {
        // An activity task, not a local activity: idempotent after the API's write, and it must not
        // hold open the workflow task whose completion answers the update that queued this message.
        if (next.rowPending) await jobs.createJob({ jobId: next.jobId, sessionId: input.sessionId, projectId: input.projectId, content: next.content, actorId: next.actorId });
        await executeChild(codegenJobWorkflow, {
          workflowId: jobWorkflowId(next.jobId),
          args: [{ jobId: next.jobId, sessionId: input.sessionId, projectId: input.projectId, organizationId: input.organizationId, actorId: next.actorId, content: next.content, settings: withCap(input.settings, next.tokenBudget), previewProvider: input.previewProvider }],
          staticSummary: `Codegen job for session ${input.sessionId}: ${next.content.slice(0, 80)}`,
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: searchAttributesOf.codegenJob(input),
        });
      } catch (err) {
        // A failed or cancelled job has recorded its own outcome (a row that could not be written even
        // after the activity's retries has no job to run); the session moves on to the next message.
        // The session's own cancellation ends the session (above).
        if (CancellationScope.current().consideredCancelled) throw err;
        const notStarted = !(err instanceof ActivityFailure) && !(err instanceof ChildWorkflowFailure);
        if (notStarted && patched('session-records-unstarted-job')) {
          // The child never started (its id taken): nothing else will record the job's end.
          await jobs.reportJob({ jobId: next.jobId, patch: { status: 'failed', error: { code: 'internal', message: `The job could not start: ${(err as Error).message}` } }, events: [] });
        }
      }
      running = null;
      drop(next.jobId);
      turns++;
      // A closing session drains what it accepted in this run; continuing as new would drop `closed`.
      if (closed) continue;
      if ((workflowInfo().continueAsNewSuggested || turns >= input.maxTurns) && pending.every((m) => m.recorded)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof sessionWorkflow>({ ...input, pending: pending.map(({ recorded: _, ...m }) => m) });
      }
    }
  }
}
