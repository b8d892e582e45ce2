import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps';

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * GET /metrics in Prometheus' text format, outside /api/v1 where scrapers expect it. With
 * METRICS_TOKEN set it asks for `Authorization: Bearer <token>`: the API port is public, and
 * route latencies and connection counts are an operator's business.
 */
export function metricsHandler(deps: Pick<AppDeps, 'metrics' | 'config'>): RequestHandler {
  return async (req, res) => {
    const token = deps.config.METRICS_TOKEN;
    if (token && !same(req.headers.authorization ?? '', `Bearer ${token}`)) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'Metrics need the METRICS_TOKEN bearer token' } });
      return;
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  };
}
