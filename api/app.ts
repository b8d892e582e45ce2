import { randomUUID } from 'node:crypto';
import express from 'express';
import { z } from 'zod';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { RequestContext } from '@mikro-orm/core';
import type { AppDeps } from './deps';
import { authenticate } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { buildOpenApi } from './http/openapi';
import { defineRoute, mountRoutes, type RouteDef } from './http/route';
import { traceRequests } from './http/trace-requests';
import { metricsHandler } from './metrics/metrics-route';
import { allRoutes } from './routes/index';

/** A caller's request id is kept only if it is a plain token: it is echoed in headers and logs. */
const requestIdPattern = /^[\w.:@-]{1,128}$/;

/** Invite tokens travel in the path (`/invites/<token>/accept`); logs get a placeholder. */
export const maskPathSecrets = (url: string | undefined) => url?.replace(/\/invites\/[^/?]+/, '/invites/[redacted]');

const requestProps = (req: express.Request, res: express.Response) => ({ route: res.locals?.route as string | undefined, userId: req.auth?.userId });

/**
 * Builds the Express app without listening, so tests drive it directly. `routes` defaults to every
 * route of the API; the OpenAPI document describes exactly the routes mounted.
 */
export function createApp(deps: AppDeps, routes: RouteDef[] = allRoutes(deps)): express.Express {
  const app = express();
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(helmet());
  app.get('/metrics', metricsHandler(deps));
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.once('finish', () => end({ route: res.locals.route ?? 'unmatched', status: res.statusCode }));
    next();
  });
  app.use(traceRequests);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // One short line per request, no headers (they carry credentials and weigh a kilobyte);
      // path secrets (invite tokens) masked. The duration is pino-http's `responseTime` (ms).
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: maskPathSecrets(req.url) }),
        res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
      },
      // Route and user go on the request's last line only, known by then: as `customProps` they
      // cost two more child loggers per request (one at its start, when both are still unknown).
      customSuccessObject: (req, res, fields) => ({ ...requestProps(req, res), ...fields }),
      customErrorObject: (req, res, _err, fields) => ({ ...requestProps(req, res), ...fields }),
    }),
  );
  // All Temporal calls of one request end within this budget: a loop of waits (a workflow's result
  // while no worker runs) answers 503 temporal_unavailable instead of holding the request.
  const temporalBudgetMs = deps.config.TEMPORAL_WAIT_TIMEOUT_MS + deps.config.TEMPORAL_RPC_TIMEOUT_MS;
  app.use((_req, _res, next) => {
    void deps.temporal.connection.withDeadline(Date.now() + temporalBudgetMs, async () => next());
  });
  // A fresh identity map per request (MikroORM's request context).
  app.use((req, _res, next) => {
    const em = deps.orm.em.fork();
    req.em = em;
    RequestContext.create(em, next);
  });

  const openApiRoute = defineRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.0 document, generated from the route schemas',
    tag: 'system',
    auth: false,
    response: z.looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
    handler: async () => openapi,
  });
  const mounted = [...routes, openApiRoute];
  const openapi = buildOpenApi(mounted, '0.1.0');

  const api = express.Router();
  // Bodies are parsed per route, after authentication (api/http/route.ts).
  mountRoutes(api, mounted, authenticate(deps.tokens), deps.config.BODY_LIMIT_BYTES);
  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
