import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../domain/errors';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from '../../domain/idempotency';
import { fingerprintOf, parseIdempotencyKey, runIdempotent } from './idempotency';
import { assertStorableText } from './storable-text';
import { declaredLengthLimit, jsonBody } from './body-limits';

type Schema = z.ZodType | undefined;
type Infer<S extends Schema> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

/**
 * One route: its schemas drive both request validation and the OpenAPI document,
 * so the spec can never drift from what the server accepts.
 */
export interface RouteDef<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express 5 path under /api/v1, e.g. `/projects/:projectId`. */
  path: string;
  summary: string;
  tag: string;
  /** false for public routes (signup, login, health); default true. */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Success status (default 200); 204 sends no body. */
  status?: number;
  response?: z.ZodType;
  /**
   * Takes an `Idempotency-Key` (api/http/idempotency.ts). Default: every authenticated POST, so a
   * new creating route gets it for free; public POSTs (sign-in) have no user to scope a key to.
   */
  idempotent?: boolean;
  /**
   * The id this operation creates, for the OpenAPI links to the operations that use it: every
   * route under `under` (e.g. `/projects/:projectId`) gets `param` from the answer at `pointer`.
   */
  creates?: { under: string; param: string; pointer: string };
  /** Largest JSON body in bytes (default: BODY_LIMIT_BYTES); only routes that need more (uploads) set it. */
  bodyLimit?: number;
  /** Extra middleware run before validation (rate limits). */
  before?: Array<(req: Request, res: Response, next: NextFunction) => void>;
  handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<unknown>;
}

export function defineRoute<P extends Schema, Q extends Schema, B extends Schema>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

function parsePart(schema: Schema, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  // The schema's own refinements speak first (a path's rules name a NUL); what passes them must still be storable.
  if (result.success) {
    assertStorableText(result.data, where);
    return result.data;
  }
  const issues = result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
  throw new AppError(ErrorCode.invalidInput, `Invalid ${where}: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
}

export const isIdempotent = (route: RouteDef) => route.idempotent ?? (route.method === 'post' && route.auth !== false);

function send(res: Response, status: number, body: unknown): void {
  if (status === 204) res.status(204).end();
  else res.status(status).json(body);
}

/**
 * Registers routes on a router, validating params, query and body with their zod schemas. Order
 * per route: rate limits, the declared body length, authentication, then the JSON parser with
 * the route's own limit, so only an authenticated caller gets a body read at all.
 */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: (req: Request, res: Response, next: NextFunction) => void, defaultBodyLimit: number): void {
  for (const route of routes) {
    // The route's pattern, for request logs and latency metrics (bounded, unlike the raw URL).
    const tag = (req: Request, res: Response, next: NextFunction) => void ((res.locals.route = req.baseUrl + route.path), next());
    const limit = route.bodyLimit ?? defaultBodyLimit;
    const chain = [tag, ...(route.before ?? []), declaredLengthLimit(limit), ...(route.auth === false ? [] : [authenticate]), jsonBody(limit)];
    router[route.method](route.path, ...chain, async (req: Request, res: Response) => {
      const input = {
        params: parsePart(route.params, req.params, 'params'),
        query: parsePart(route.query, req.query, 'query'),
        body: parsePart(route.body, req.body, 'body'),
      } as RouteInput<Schema, Schema, Schema>;
      const status = route.status ?? 200;
      const key = isIdempotent(route) ? parseIdempotencyKey(req.get(IDEMPOTENCY_HEADER)) : undefined;
      if (key === undefined || !req.auth) {
        const result = await route.handler(input, req, res);
        if (!res.headersSent) send(res, status, result);
        return;
      }
      req.idempotencyKey = key;
      const fingerprint = fingerprintOf(`${route.method} ${route.path}`, req.path, req.body, req.auth.userId);
      const answer = await runIdempotent(req.em, { userId: req.auth.userId, key, fingerprint }, async () => ({ status, body: await route.handler(input, req, res) }));
      if (answer.replayed) res.setHeader(REPLAYED_HEADER, 'true');
      send(res, answer.status, answer.body);
      await answer.recorded.catch((err: unknown) => req.log.warn({ err }, 'Idempotency-Key answer not recorded'));
    });
  }
}
