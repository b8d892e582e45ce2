import type { RequestHandler } from 'express';
import { unauthorized } from '../../domain/errors';
import type { AccessTokens } from '../auth/access-token';

/** Requires `Authorization: Bearer <access token>`; sets `req.auth`. */
export function authenticate(tokens: AccessTokens): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) return next(unauthorized());
    try {
      req.auth = await tokens.verify(token);
      next();
    } catch {
      next(unauthorized('Access token is invalid or expired'));
    }
  };
}
