import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { finalActivityFailureTypes } from '../domain/errors';

/**
 * Timeouts, retries and heartbeats of every activity, in one place. Workflows spread a preset into
 * `proxyActivities` (adding `taskQueue` for builds). Which failures are verdicts rather than faults
 * is not decided here: every preset lists the table's (domain/errors.ts), the same types the
 * activity boundary marks non-retryable, so the two can never disagree.
 */
const nonRetryableErrorTypes = finalActivityFailureTypes;

/**
 * One model call, streamed. The OpenAI client runs with `maxRetries: 0` so Temporal owns retries;
 * 429/5xx back off up to a minute. The activity beats every second (codegen-activities.ts), so a
 * short heartbeat timeout costs nothing and a dead worker's call is retried elsewhere within
 * seconds (the SDK sends beats every 0.8 x 6 s; only an event loop stalled that long misfires).
 */
export const llmCall: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '6 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes,
  },
};

/** A short, idempotent Postgres write: transient connection errors retry quickly. */
export const storageWrite: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes,
  },
};

/**
 * A job's bookkeeping (its row, its durable events, its checkpoint) as local activities: a few
 * milliseconds of Postgres each, run by the worker that runs the workflow inside the same workflow
 * task, so a stage change costs no activity task and no extra workflow task. Writes are keyed (event
 * keys, row ids), so the local retries are as safe as the same retries of a normal activity.
 */
export const bookkeeping: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: storageWrite.retry,
};

/**
 * CPU-heavy work on the builds queue (compile checks, preview builds): long but heartbeating, so a
 * dead builder is noticed in 30 s; a failed check is a result for the fix loop, not a failure.
 */
export const build: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 3,
    nonRetryableErrorTypes,
  },
};

/** Third-party APIs (GitHub, hosting providers): rate limits and outages last minutes, so back off long. */
export const providerCall: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
    nonRetryableErrorTypes,
  },
};

/**
 * A hosting provider rolling a release out (deploy, rollback, starting a preview): minutes on a
 * real platform, so a long timeout kept honest by heartbeats from the provider's polling loop.
 */
export const providerRollout: ActivityOptions = {
  ...providerCall,
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '1 minute',
};

/**
 * Waiting for other workflows to close (a project deletion stopping its runs): as long as a job's
 * cancellation or a rollout takes, kept honest by heartbeats; a lost worker is noticed in 30 s.
 */
export const awaitRuns: ActivityOptions = {
  ...storageWrite,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
};
