import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode, type ErrorBody } from '../../domain/errors';
import type { QuotaDetails } from '../../domain/quotas';

/** The one place where error codes become HTTP statuses. */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.invalidInput: return 400;
    case ErrorCode.unauthorized: return 401;
    case ErrorCode.forbidden: return 403;
    case ErrorCode.notFound: return 404;
    case ErrorCode.conflict:
    case ErrorCode.versionConflict: return 409;
    case ErrorCode.payloadTooLarge: return 413;
    case ErrorCode.rateLimited: return 429;
    case ErrorCode.quotaExceeded: return 403;
    case ErrorCode.unavailable: return 503;
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

export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  // A stream that already began cannot switch to an error body: let Express close the connection.
  if (res.headersSent) return next(err);
  const known = err instanceof AppError ? err : fromExpress(err);
  if (!known) req.log?.error({ err }, 'unhandled error');
  // Anything unexpected is a 500 with a fixed message: internals stay in the log, keyed by request id.
  const error = known ?? new AppError(ErrorCode.internal, 'Internal server error');
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
  // A quota is 403 when an amount is used up, 429 (with Retry-After) when it is a rate.
  const quota = error.code === ErrorCode.quotaExceeded ? (error.details as QuotaDetails) : undefined;
  if (quota?.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(quota.retryAfterSeconds));
  res.status(quota?.kind === 'rate' ? 429 : statusFor(error.code)).json(body);
};

export const notFoundHandler: RequestHandler = (req) => {
  throw new AppError(ErrorCode.notFound, `No route ${req.method} ${req.path}`);
};
