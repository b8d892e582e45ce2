import type { JobErrorCode } from './job-error-codes';

/**
 * Stable error codes. The API maps each to an HTTP status in one exhaustive switch
 * (api/middleware/error-handler.ts); activities use the same words as ApplicationFailure types.
 * Never branch on message text: branch on these.
 */
export const ErrorCode = {
  invalidInput: 'invalid_input',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  versionConflict: 'version_conflict',
  payloadTooLarge: 'payload_too_large',
  rateLimited: 'rate_limited',
  /** An organization's quota (domain/quotas.ts): 429 for a rate, 403 for an amount. */
  quotaExceeded: 'quota_exceeded',
  unavailable: 'unavailable',
  /** The Temporal server did not answer in time (down, unreachable, overloaded): 503 with Retry-After. */
  temporalUnavailable: 'temporal_unavailable',
  /** PostgreSQL refused or did not take a connection in time: 503 with Retry-After. */
  databaseUnavailable: 'database_unavailable',
  /** An Idempotency-Key sent again with another method, route, body or user: 422. */
  idempotencyKeyReused: 'idempotency_key_reused',
  /** The first request with this Idempotency-Key is still running: 409, retry after a moment. */
  idempotencyInProgress: 'idempotency_in_progress',
  internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Failure types a job workflow decides on itself (or takes from an activity) and ends with: its
 * error code carries the same word (checked against JobErrorCode).
 */
export const FailureType = {
  llmAuthFailed: 'llm_auth_failed',
  llmBadRequest: 'llm_bad_request',
  budgetExceeded: 'budget_exceeded',
  checkFailed: 'check_failed',
} as const satisfies Record<string, JobErrorCode>;

/**
 * ApplicationFailure types of model calls (activities/llm/classify-error.ts). Rate limits, outages,
 * timeouts, dropped streams and unusable output are retried by Temporal; a refused key or request
 * is final and reaches the client as the job's error code.
 */
export const LlmErrorType = {
  rateLimited: 'llm_rate_limited',
  unavailable: 'llm_unavailable',
  timeout: 'llm_timeout',
  malformedOutput: 'llm_malformed_output',
  authFailed: FailureType.llmAuthFailed,
  badRequest: FailureType.llmBadRequest,
  cancelled: 'llm_cancelled',
} as const;
export type LlmErrorType = (typeof LlmErrorType)[keyof typeof LlmErrorType];

/**
 * ApplicationFailure types of builds, health checks and hosting providers; a failed preview or
 * deployment carries one as its error code. All but `provider_unavailable` are final verdicts.
 */
export const DeliveryFailureType = {
  /** The generated app did not install or build (its log says why). */
  buildFailed: 'build_failed',
  /** A sandboxed build or server went over its CPU, memory or wall-clock limit. */
  limitExceeded: 'limit_exceeded',
  /** The app started but does not serve a working page (blank page, missing assets, not 200). */
  healthCheckFailed: 'health_check_failed',
  /** The builder cannot confine tenant code (bubblewrap missing or not allowed): an operator must fix the host. */
  sandboxUnavailable: 'sandbox_unavailable',
  /** The version is larger than one build takes over the files channel (workflows/delivery-activities.ts). */
  versionTooLarge: 'version_too_large',
  /** The provider refused the request (bad credentials, invalid settings): retrying cannot help. */
  providerRejected: 'provider_rejected',
  /** The provider is rate limiting or down: retried with backoff. */
  providerUnavailable: 'provider_unavailable',
  /** The organization has no configuration for the provider, or it cannot be decrypted. */
  providerNotConfigured: 'provider_not_configured',
} as const;
export type DeliveryFailureType = (typeof DeliveryFailureType)[keyof typeof DeliveryFailureType];

/** ApplicationFailure types of GitHub calls (activities/github/github-failure.ts). */
export const GithubFailureType = {
  authFailed: 'github_auth_failed',
  notFound: 'github_not_found',
  conflict: 'github_conflict',
  /** 403/429 with a reset time: retried by Temporal after the reset (nextRetryDelay). */
  rateLimited: 'github_rate_limited',
  unavailable: 'github_unavailable',
  notConnected: 'github_not_connected',
  /** The branch holds files a version cannot (path or size rules); details list them. */
  unimportable: 'github_unimportable',
} as const;
export type GithubFailureType = (typeof GithubFailureType)[keyof typeof GithubFailureType];

/**
 * Every ApplicationFailure type an activity throws, and whether a retry can help (`false`: a
 * verdict, retrying only repeats it and spends time or money). The one table behind the activity
 * boundary (activities/activity-failure.ts turns whatever an activity threw into one of these)
 * and the retry policies (workflows/activity-options.ts).
 */
export const activityFailureTypes = {
  // AppError codes (storage, versions, bookkeeping) and MikroORM's NotFoundError (`not_found`).
  [ErrorCode.invalidInput]: { retryable: false },
  [ErrorCode.unauthorized]: { retryable: false },
  [ErrorCode.forbidden]: { retryable: false },
  [ErrorCode.notFound]: { retryable: false },
  [ErrorCode.conflict]: { retryable: false },
  [ErrorCode.versionConflict]: { retryable: false },
  /** An oversized file or version: a fresh model call would write another one. */
  [ErrorCode.payloadTooLarge]: { retryable: false },
  [ErrorCode.rateLimited]: { retryable: true },
  /** A quota is the organization's verdict until its limit moves: retrying spends nothing but time. */
  [ErrorCode.quotaExceeded]: { retryable: false },
  /** The database unreachable, a connection dropped. */
  [ErrorCode.unavailable]: { retryable: true },
  [ErrorCode.temporalUnavailable]: { retryable: true },
  [ErrorCode.databaseUnavailable]: { retryable: true },
  [ErrorCode.idempotencyKeyReused]: { retryable: false },
  [ErrorCode.idempotencyInProgress]: { retryable: true },
  /** Anything untyped: a bug or an unknown fault, retried with backoff like any error. */
  [ErrorCode.internal]: { retryable: true },
  [LlmErrorType.rateLimited]: { retryable: true },
  [LlmErrorType.unavailable]: { retryable: true },
  [LlmErrorType.timeout]: { retryable: true },
  [LlmErrorType.malformedOutput]: { retryable: true },
  [LlmErrorType.authFailed]: { retryable: false },
  [LlmErrorType.badRequest]: { retryable: false },
  [LlmErrorType.cancelled]: { retryable: false },
  [DeliveryFailureType.buildFailed]: { retryable: false },
  [DeliveryFailureType.limitExceeded]: { retryable: false },
  [DeliveryFailureType.healthCheckFailed]: { retryable: false },
  [DeliveryFailureType.sandboxUnavailable]: { retryable: false },
  [DeliveryFailureType.versionTooLarge]: { retryable: false },
  [DeliveryFailureType.providerRejected]: { retryable: false },
  [DeliveryFailureType.providerUnavailable]: { retryable: true },
  [DeliveryFailureType.providerNotConfigured]: { retryable: false },
  [GithubFailureType.authFailed]: { retryable: false },
  [GithubFailureType.notFound]: { retryable: false },
  [GithubFailureType.conflict]: { retryable: false },
  /** Retried after the reset time the failure carries (nextRetryDelay). */
  [GithubFailureType.rateLimited]: { retryable: true },
  [GithubFailureType.unavailable]: { retryable: true },
  [GithubFailureType.notConnected]: { retryable: false },
  [GithubFailureType.unimportable]: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;
export type ActivityFailureType = keyof typeof activityFailureTypes;

export const isActivityFailureType = (type: string | undefined | null): type is ActivityFailureType =>
  type != null && Object.hasOwn(activityFailureTypes, type);

/** What retry policies list as `nonRetryableErrorTypes`: the table's verdicts, nothing else. */
export const finalActivityFailureTypes: ActivityFailureType[] = (Object.keys(activityFailureTypes) as ActivityFailureType[])
  .filter((type) => !activityFailureTypes[type].retryable);

/** The body of every error answer: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** A typed, expected failure. Anything else reaching the error middleware is a bug (500). */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(ErrorCode.notFound, `${what} not found`);
export const forbidden = (message = 'Your role does not allow this') => new AppError(ErrorCode.forbidden, message);
export const unauthorized = (message = 'Missing or invalid access token') => new AppError(ErrorCode.unauthorized, message);
export const conflict = (message: string, details?: unknown) => new AppError(ErrorCode.conflict, message, details);
export const invalidInput = (message: string, details?: unknown) => new AppError(ErrorCode.invalidInput, message, details);
