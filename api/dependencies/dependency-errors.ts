import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isDatabaseUnreachable } from '../../db/connection-failure';
import { AppError, ErrorCode } from '../../domain/errors';

/** What a client should wait before retrying a request that met a dependency outage. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * gRPC statuses of a call that never got a verdict from the Temporal server: unreachable
 * (UNAVAILABLE 14), too slow (DEADLINE_EXCEEDED 4), or shedding load (RESOURCE_EXHAUSTED 8).
 * gRPC errors carry a numeric `code` and `metadata`, unlike Node's and pg's string codes.
 */
const unavailableGrpcCodes = new Set([4, 8, 14]);

function isTemporalUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    const { code, metadata } = e as { code?: unknown; metadata?: unknown };
    if (typeof code === 'number' && metadata !== undefined && unavailableGrpcCodes.has(code)) return true;
  }
  return false;
}

/**
 * A dependency that is down is the server's condition, not a bug: it becomes a 503 naming the
 * dependency (with Retry-After, set by the error middleware), never a 500 `internal`.
 */
export function dependencyError(err: unknown): AppError | undefined {
  const details = { retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS };
  if (isDatabaseUnreachable(err)) return new AppError(ErrorCode.databaseUnavailable, 'The database is unavailable; try again shortly', details);
  if (isTemporalUnavailable(err)) return new AppError(ErrorCode.temporalUnavailable, 'The workflow service (Temporal) is unavailable; try again shortly', details);
  return undefined;
}
