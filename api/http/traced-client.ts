import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';

/**
 * The API's Temporal client interceptors: starts, updates and queries get spans and carry the
 * request's trace context in their headers to the workflow. Free while tracing is off (no-op tracer).
 */
export const tracedClientInterceptors = (): ClientInterceptors => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });
