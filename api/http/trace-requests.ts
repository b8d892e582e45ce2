import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

const tracer = trace.getTracer('forge-api');

/**
 * A server span per request, continuing the caller's trace (`traceparent`) when there is one. It is
 * the active context while the route runs, so the Temporal client interceptor's spans (start,
 * update) and through them the workflow's and activities' are its children. Named by the route's
 * pattern once known. A no-op while no tracer provider is registered (telemetry/tracing.ts).
 */
export const traceRequests: RequestHandler = (req, res, next) => {
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
  res.once('finish', () => {
    const route: string | undefined = res.locals.route;
    if (route) span.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};
