import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import type { JobError } from '../../domain/agents';
import { isJobErrorCode, type JobErrorCode } from '../../domain/job-error-codes';
import { usageOf, type Usage } from '../../domain/usage';

/** A job stop the workflow decides on itself (budget, loop, check) carries its JobErrorCode as the failure type. */
export const jobFailure = (code: JobErrorCode, message: string, details?: unknown) =>
  ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details === undefined ? [] : [details] });

/** Maps whatever stopped a job to the error clients see. Types, never message text, decide the code. */
export function toJobError(err: unknown): JobError {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    if (isJobErrorCode(cause.type)) return { code: cause.type, message: cause.message, details: cause.details?.[0] };
    // Retryable LLM failures that outlived their retry policy.
    if (cause.type?.startsWith('llm_')) return { code: 'llm_unavailable', message: `The model did not answer: ${cause.message}` };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : 'The job stopped unexpectedly' };
}

/** Tokens a failed model-calling activity spent over all its attempts (activities/codegen/attempt-usage.ts), if it says. */
export function spentUsageOf(err: unknown): Usage | null {
  const cause = err instanceof ActivityFailure ? err.cause : null;
  if (!(cause instanceof ApplicationFailure)) return null;
  return usageOf((cause.details?.[0] as { spentUsage?: unknown } | undefined)?.spentUsage);
}
