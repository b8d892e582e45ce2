// Workflow interceptors bundled into every workflow bundle (worker/tracing-options.ts): not a workflow.
import { patched, workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** `inner`'s interceptor methods, each running only while `on()`; otherwise straight to `next`. */
function gate<T extends object>(inner: T, on: () => boolean): T {
  const names = Object.getOwnPropertyNames(Object.getPrototypeOf(inner)).filter((name) => name !== 'constructor');
  return Object.fromEntries(names.map((name) => {
    const method = (inner as Record<string, Method>)[name]!.bind(inner);
    return [name, (input: unknown, next: (input: unknown) => unknown) => (on() ? method(input, next) : next(input))];
  })) as T;
}

/**
 * OpenTelemetry's workflow interceptors (a span for the run, trace headers on the activities and
 * children it starts), behind `patched()`: they add awaits, and a history recorded without them
 * (every run started before this build, and the recorded histories of the replay test) would
 * replay in another order. A run that started with them records the marker and keeps them; an
 * older run never sees them. Updates and signals are not wrapped: the awaits the wrapper adds to
 * each handler reordered a session's concurrent messages on replay (a child started for the
 * wrong message). Called once per workflow run.
 */
export const interceptors = (): WorkflowInterceptors => {
  let traced = false;
  const inbound = new OpenTelemetryInboundInterceptor();
  const { workflowId } = workflowInfo();
  const jobId = workflowId.startsWith('job-') ? workflowId.slice('job-'.length) : undefined;
  const outbound = gate(new OpenTelemetryOutboundInterceptor(), () => traced);
  return {
    inbound: [{
      // The run's first step: decided here, once, at the same point on every replay.
      execute: (input, next) => {
        traced = patched('forge-opentelemetry');
        return traced ? inbound.execute(input, next) : next(input);
      },
    }],
    outbound: [{
      ...outbound,
      // Workflow log lines carry the job id next to the SDK's workflowId and runId (and trace ids when traced).
      getLogAttributes: (input, next) => outbound.getLogAttributes!(jobId ? { ...input, jobId } : input, next),
    }],
    internals: [gate(new OpenTelemetryInternalsInterceptor(), () => traced)],
  };
};
