import express, { type RequestHandler } from 'express';
import { AppError, ErrorCode } from '../../domain/errors';

/**
 * A body whose declared length is over the route's limit is refused at once, before the token is
 * checked or a byte is read: answering costs nothing, whoever sends it. `Connection: close`, since
 * the unread rest of the body makes the connection useless.
 */
export function declaredLengthLimit(limit: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared <= limit) return next();
    res.setHeader('connection', 'close');
    next(new AppError(ErrorCode.payloadTooLarge, `Request body is ${declared} bytes, over this route's ${limit}-byte limit`, { limit }));
  };
}

/**
 * The JSON parser of a route, mounted after authentication: an anonymous caller makes the API
 * parse nothing. Webhook signatures cover the exact bytes sent: those routes keep them.
 */
export const jsonBody = (limit: number): RequestHandler =>
  express.json({ limit, verify: (req, _res, buf) => { if ((req as express.Request).originalUrl?.startsWith('/api/v1/webhooks/')) (req as express.Request).rawBody = buf; } });
