import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobRef } from '../domain/agent-workflows';

// The session workflow's contract: what the API sends it. Kept apart from the workflow body so the
// API imports these definitions without loading workflow code (as job-signals.ts, preview-signals.ts).

/**
 * A chat message: answers the job it queued (validated before anything is recorded). `tokenBudget`:
 * the organization's cap on this job (quotas, set by the API); absent in older histories.
 */
export const sendMessageUpdate = defineUpdate<JobRef, [{ content: string; actorId: string; tokenBudget?: number }]>('sendMessage');
/** Ends the session once its queued messages have run. */
export const closeSessionSignal = defineSignal('close');
/** Drops a message still waiting in the queue; its job ends `cancelled` without running. */
export const cancelQueuedMessageUpdate = defineUpdate<JobRef, [JobRef]>('cancelQueuedMessage');
