import { fileURLToPath } from 'node:url';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../telemetry/tracing';
import { jobLogAttributes } from './job-log-attributes';

/**
 * The workflow interceptors that trace a run its starter traced (see the module), bundled into every
 * workflow bundle whether tracing is on or not: the bundle's hash is the build id, and turning
 * tracing on must not make a new build. OpenTelemetry's modules are in the bundle, evaluated by a
 * traced run only.
 */
export const workflowInterceptorModules = [fileURLToPath(new URL('../workflows/tracing-interceptors.ts', import.meta.url))];

/**
 * Worker options for tracing: activity spans (children of the workflow's, through the headers),
 * and the sink that exports the spans workflows create (workflows cannot do I/O themselves). Only
 * runs an API with tracing on started create spans; with the worker's tracing off the sink discards
 * them. Activity log lines get the job id (see job-log-attributes.ts).
 */
export function tracingWorkerOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        (ctx) => ({ outbound: jobLogAttributes(ctx) }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
