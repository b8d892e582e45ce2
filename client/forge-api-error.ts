import type { ErrorCode } from '../domain/errors';

/**
 * Every failed call of the SDK: the API's error body (`{ error: { code, message, details? } }`)
 * with the HTTP status. `status` 0 means the API could not be reached; socket acks use the same
 * codes with the status REST would have answered.
 */
export class ForgeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ForgeApiError';
  }
}

/** The status REST answers for each code (api/middleware/error-handler.ts), for errors that arrive by socket. */
export const statusOfCode: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  rate_limited: 429,
  // 429 when details.kind is 'rate'.
  quota_exceeded: 403,
  unavailable: 503,
  temporal_unavailable: 503,
  database_unavailable: 503,
  internal: 500,
};
