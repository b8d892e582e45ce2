// The codes of failed jobs without zod, for workflows (domain/value-checks.ts says why);
// `JobErrorCode` in domain/agents.ts is the zod enum of the same words.

/** Codes a failed job carries in `error.code`. */
export const jobErrorCodes = [
  'budget_exceeded',
  'loop_detected',
  'version_conflict',
  'llm_auth_failed',
  'llm_bad_request',
  'llm_unavailable',
  'check_failed',
  /** A generated file or version over the storage limits (domain/versions.ts): not retried, a new call would write another. */
  'payload_too_large',
  'approval_timeout',
  'internal',
] as const;
export type JobErrorCode = (typeof jobErrorCodes)[number];

export const isJobErrorCode = (value: unknown): value is JobErrorCode => (jobErrorCodes as readonly unknown[]).includes(value);
