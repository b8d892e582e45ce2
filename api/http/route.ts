import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../domain/errors';
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
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
  throw new AppError(ErrorCode.invalidInput, `Invalid ${where}: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
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
      const result = await route.handler(input, req, res);
      if (res.headersSent) return;
      const status = route.status ?? 200;
      if (status === 204) res.status(204).end();
      else res.status(status).json(result);
    });
  }
}
