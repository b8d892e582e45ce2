import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobRef } from '../domain/agent-workflows';

// The session workflow's contract: what the API sends it. Kept apart from the workflow body so the
// API imports these definitions without loading workflow code (as job-signals.ts, preview-signals.ts).

/**
 * A chat message the API has validated, admitted and recorded (its job row and `message` event):
 * the server persists the signal without a worker, so `POST /sessions/:id/messages` answers in
 * milliseconds. A second signal with the same job id (a retried request) queues nothing.
 * `tokenBudget`: the organization's cap on this job (quotas).
 */
export const queueMessageSignal = defineSignal<[QueuedMessage]>('queueMessage');
export interface QueuedMessage {
  jobId: string;
  content: string;
  actorId: string;
  tokenBudget?: number;
}
/**
 * The update that queued messages before `queueMessage`: answers the job it queued (validated before
 * anything is recorded). Still handled, for histories and for API nodes of the previous build during a rollout.
 */
export const sendMessageUpdate = defineUpdate<JobRef, [{ content: string; actorId: string; tokenBudget?: number }]>('sendMessage');
/** Ends the session once its queued messages have run. */
export const closeSessionSignal = defineSignal('close');
/** Drops a message still waiting in the queue; its job ends `cancelled` without running. */
export const cancelQueuedMessageUpdate = defineUpdate<JobRef, [JobRef]>('cancelQueuedMessage');
