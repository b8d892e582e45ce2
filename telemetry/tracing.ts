import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The process's tracing: where spans go, and the resource naming the process. */
export interface Tracing {
  /** False when nothing is exported: spans are no-ops. */
  enabled: boolean;
  resource: Resource;
  spanProcessor: SpanProcessor;
  shutdown: () => Promise<void>;
}

export interface TracingOptions {
  /** `service.name`: forge-api, forge-worker, forge-builder. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP, `<endpoint>/v1/traces`); unset: no export. */
  otlpEndpoint?: string | undefined;
  /** Tests collect spans in memory instead. */
  spanProcessor?: SpanProcessor;
}

/**
 * OpenTelemetry for one process, off unless an OTLP endpoint (or a test's processor) is given. On,
 * it registers the global tracer provider with async-context propagation, so a span opened for an
 * API request is the parent of the Temporal client's spans, and the Temporal interceptors carry
 * the context on through workflow and activity headers. Called once, by a process bootstrap.
 */
export function startTracing(options: TracingOptions): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const spanProcessor = options.spanProcessor
    ?? (options.otlpEndpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })) : undefined);
  if (!spanProcessor) return { enabled: false, resource, spanProcessor: new NoopSpanProcessor(), shutdown: async () => undefined };
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { enabled: true, resource, spanProcessor, shutdown: () => provider.shutdown() };
}
