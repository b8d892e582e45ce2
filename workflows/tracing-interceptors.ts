// Workflow interceptors bundled into every workflow bundle (worker/tracing-options.ts): not a workflow.
import {
  defaultPayloadConverter,
  patched,
  workflowInfo,
  type WorkflowExecuteInput,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type * as OpenTelemetry from './opentelemetry-interceptors';

/** Where @temporalio/interceptors-opentelemetry's client and workflow interceptors carry the trace context (its TRACE_HEADER). */
const traceHeader = '_tracer-data';

/**
 * Whether the starter sent a trace context. Its interceptor puts the header on every start, but
 * with tracing off (a no-op tracer: no OTLP endpoint) the carrier holds no `traceparent`.
 */
function startedTraced(headers: WorkflowExecuteInput['headers']): boolean {
  const carrier = headers[traceHeader] && defaultPayloadConverter.fromPayload<{ traceparent?: unknown }>(headers[traceHeader]);
  return typeof carrier?.traceparent === 'string';
}

/**
 * Whether this run is traced: decided once, at its first step, the same way on every replay.
 * OpenTelemetry's interceptors add awaits, so a run must replay with them exactly when it ran
 * with them. Runs started on this build record `forge-opentelemetry-traced-starts` and are traced
 * when their starter traced them. A run of an earlier build that recorded `forge-opentelemetry`
 * was traced whatever its headers (a session moves to new builds mid-run), and one that recorded
 * neither (older still, and the replay test's oldest histories) never was.
 */
function tracedRun(headers: WorkflowExecuteInput['headers']): boolean {
  if (patched('forge-opentelemetry-traced-starts')) return startedTraced(headers);
  return patched('forge-opentelemetry');
}

/**
 * OpenTelemetry's workflow interceptors (a span for the run, trace headers on the activities and
 * children it starts) for a run whose starter traced it. With the API's tracing off no trace
 * context arrives, so a run costs no spans, no exports and no OpenTelemetry modules, and its
 * children and activities get no trace header either. Called once per workflow run.
 */
export const interceptors = (): WorkflowInterceptors => {
  const { workflowId } = workflowInfo();
  const jobId = workflowId.startsWith('job-') ? workflowId.slice('job-'.length) : undefined;
  // Filled in by `execute` for a traced run. The SDK composes the interceptors at each call, so the
  // methods added then apply to every later call; an untraced run's calls meet no wrapper at all.
  const outbound: WorkflowOutboundCallsInterceptor = {};
  const internals: WorkflowInternalsInterceptor = {};
  return {
    inbound: [{
      execute: (input, next) => {
        if (!tracedRun(input.headers)) return next(input);
        // Webpack's `require`: the module is in the bundle but evaluated only here, synchronously
        // (an `import()` would delay the run's start by a microtask, and replay is order-sensitive).
        const tracing = (require('./opentelemetry-interceptors') as typeof OpenTelemetry).runTracing();
        Object.assign(outbound, tracing.outbound);
        Object.assign(internals, tracing.internals);
        return tracing.execute(input, next);
      },
    }],
    outbound: [outbound, {
      // Workflow log lines carry the job id next to the SDK's workflowId and runId (and trace ids when traced).
      getLogAttributes: (input, next) => next(jobId ? { ...input, jobId } : input),
    }],
    internals: [internals],
  };
};
