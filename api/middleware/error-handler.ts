import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode, type ErrorBody } from '../../domain/errors';
import { dependencyError } from '../dependencies/dependency-errors';
import type { QuotaDetails } from '../../domain/quotas';

/** The one place where error codes become HTTP statuses. */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.invalidInput: return 400;
    case ErrorCode.unauthorized: return 401;
    case ErrorCode.forbidden: return 403;
    case ErrorCode.notFound: return 404;
    case ErrorCode.conflict:
    case ErrorCode.versionConflict:
    case ErrorCode.idempotencyInProgress: return 409;
    case ErrorCode.payloadTooLarge: return 413;
    case ErrorCode.idempotencyKeyReused: return 422;
    case ErrorCode.rateLimited: return 429;
    case ErrorCode.quotaExceeded: return 403;
    case ErrorCode.unavailable:
    case ErrorCode.temporalUnavailable:
    case ErrorCode.databaseUnavailable: return 503;
    case ErrorCode.internal: return 500;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * Errors raised by Express itself carry a 4xx `status`: body-parser's (with a `type`) and the
 * router's URIError for an undecodable path parameter. They are the client's mistake: 400/413,
 * never 500. Other errors with a `status` (an upstream API's 404) stay unexpected.
 */
function fromExpress(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status } = err as { type?: unknown; status?: unknown };
  const raisedByExpress = typeof type === 'string' || err instanceof URIError;
  if (!raisedByExpress || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return new AppError(ErrorCode.payloadTooLarge, 'Request body is too large');
  if (type === 'entity.parse.failed') return new AppError(ErrorCode.invalidInput, 'Request body is not valid JSON');
  return new AppError(ErrorCode.invalidInput, typeof type === 'string' ? `Unreadable request body (${type})` : 'Malformed URL');
}

/** The typed error behind any thrown value, or undefined for a bug. Shared with the socket acks. */
export const knownError = (err: unknown): AppError | undefined => (err instanceof AppError ? err : (fromExpress(err) ?? dependencyError(err)));

/** Anything unexpected is a 500 with a fixed message: internals stay in the log, keyed by request id. */
export const toErrorBody = (error: AppError | undefined): ErrorBody => {
  const e = error ?? new AppError(ErrorCode.internal, 'Internal server error');
  return { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
};

/** Seconds a client should wait before retrying, for the answers that ask it to (503, in-progress 409). */
export function retryAfterOf(error: AppError | undefined): number | undefined {
  const given = (error?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof given === 'number') return given;
  if (error && (statusFor(error.code) === 503 || error.code === ErrorCode.idempotencyInProgress)) return 1;
  return undefined;
}

/** A quota is 403 when an amount is used up, 429 (with Retry-After) when it is a rate. */
export function httpStatusOf(error: AppError | undefined): number {
  if (error?.code === ErrorCode.quotaExceeded && (error.details as QuotaDetails | undefined)?.kind === 'rate') return 429;
  return statusFor(error?.code ?? ErrorCode.internal);
}

export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  // A stream that already began cannot switch to an error body: let Express close the connection.
  if (res.headersSent) return next(err);
  const known = knownError(err);
  if (!known) req.log?.error({ err }, 'unhandled error');
  else if (known.code === ErrorCode.temporalUnavailable || known.code === ErrorCode.databaseUnavailable) req.log?.warn({ err }, known.code);
  const retryAfter = retryAfterOf(known);
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  res.status(httpStatusOf(known)).json(toErrorBody(known));
};

export const notFoundHandler: RequestHandler = (req) => {
  throw new AppError(ErrorCode.notFound, `No route ${req.method} ${req.path}`);
};
