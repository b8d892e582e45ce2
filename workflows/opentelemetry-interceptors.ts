// Loaded by tracing-interceptors.ts for a traced run only: not a workflow, and not imported statically
// anywhere, so an untraced run never evaluates OpenTelemetry's modules (the bundle's module cache is per run).
import type { WorkflowExecuteInput, WorkflowInternalsInterceptor, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';

/** The instance's methods (its class keeps them on the prototype) as own properties bound to it. */
function ownMethods<T extends object>(instance: T): Partial<T> {
  const names = Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).filter((name) => name !== 'constructor');
  return Object.fromEntries(names.map((name) => [name, (instance as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(instance)])) as Partial<T>;
}

export interface RunTracing {
  /** Runs the workflow inside its span, the child of the starter's span carried in the headers. */
  execute: (input: WorkflowExecuteInput, next: (input: WorkflowExecuteInput) => Promise<unknown>) => Promise<unknown>;
  /** Spans and trace headers for the activities, children, signals and continue-as-new the run starts; trace ids on log lines. */
  outbound: WorkflowOutboundCallsInterceptor;
  /** Releases the run's context manager when the run leaves the cache. */
  internals: WorkflowInternalsInterceptor;
}

/**
 * OpenTelemetry's workflow interceptors for one run. Only `execute` of the inbound ones: the awaits
 * the wrapper adds to each update and signal handler reordered a session's concurrent messages on
 * replay (a child started for the wrong message).
 */
export function runTracing(): RunTracing {
  const inbound = new OpenTelemetryInboundInterceptor();
  return {
    execute: (input, next) => inbound.execute(input, next),
    outbound: ownMethods(new OpenTelemetryOutboundInterceptor()),
    internals: ownMethods(new OpenTelemetryInternalsInterceptor()),
  };
}
