import { rateLimit } from 'express-rate-limit';
import { AppError, ErrorCode } from '../../domain/errors';

/**
 * Per-IP limit for the auth routes (password guessing, signup floods). One instance is shared by
 * every auth route so the budget is per client, not per route. The counter lives in this process:
 * with several API nodes each node counts on its own, which still bounds a client per node.
 */
export function authRateLimit(perMinute: number) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    // draft-7 sends the combined `RateLimit` header and, once limited, `Retry-After`.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Whether X-Forwarded-For counts is the operator's TRUST_PROXY choice, not a misconfiguration to warn about.
    validate: { xForwardedForHeader: false },
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('retry-after');
      next(new AppError(ErrorCode.rateLimited, `Too many requests; retry in ${retryAfter ?? 60} seconds`));
    },
  });
}
