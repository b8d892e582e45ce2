import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ConnectionException, NotFoundError } from '@mikro-orm/core';
import { activityFailureTypes, AppError, ErrorCode, isActivityFailureType, type ActivityFailureType } from '../domain/errors';

const failure = (type: ActivityFailureType, message: string, cause: Error | undefined, details: unknown[] = [], nextRetryDelay?: ApplicationFailure['nextRetryDelay']) =>
  ApplicationFailure.create({
    type,
    message,
    cause,
    details,
    // The table decides: a verdict fails the activity at once, whatever the retry policy says.
    nonRetryable: !activityFailureTypes[type].retryable,
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
  });

/**
 * The activity boundary: whatever an activity threw leaves it as an ApplicationFailure whose type
 * is in domain/errors.ts's table, retryable exactly as the table says. AppError keeps its code,
 * MikroORM's NotFoundError is `not_found`, a lost database connection `unavailable`, anything
 * untyped `internal` (retried). An activity's own cancellation passes through untouched.
 */
export function toActivityFailure(err: unknown): Error {
  if (err instanceof CancelledFailure) return err;
  if (err instanceof ApplicationFailure) {
    if (isActivityFailureType(err.type)) {
      if (err.nonRetryable === !activityFailureTypes[err.type].retryable) return err;
      return failure(err.type, err.message, err.cause, err.details ? [...err.details] : [], err.nextRetryDelay);
    }
    return failure(ErrorCode.internal, `${err.type ?? 'Error'}: ${err.message}`, err, err.details ? [...err.details] : []);
  }
  if (err instanceof AppError) return failure(err.code, err.message, err, err.details === undefined ? [] : [err.details]);
  if (err instanceof NotFoundError) return failure(ErrorCode.notFound, err.message, err);
  if (err instanceof ConnectionException) return failure(ErrorCode.unavailable, err.message, err);
  const error = err instanceof Error ? err : new Error(String(err));
  return failure(ErrorCode.internal, error.message, error);
}

type ActivityFunction = (...args: any[]) => Promise<unknown>;

/** Wraps every activity of a set at the boundary (used where the worker registers them). */
export function withTypedFailures<T extends Record<string, ActivityFunction>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, run]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (err) {
          throw toActivityFailure(err);
        }
      },
    ]),
  ) as T;
}
