import { randomUUID } from 'node:crypto';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { taskQueues } from '../../domain/task-queues';
import { jobWorkflowId, stackCheckWorkflowId } from '../../domain/workflow-ids';
import type { Tracing } from '../../telemetry/tracing';
import type { stackCheckWorkflow } from '../../workflows/stack-check';
import { runClosedSession, startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { headersSent } from '../support/workflow-history';

/**
 * A workflow run is traced only when its starter traced it. Here the API's tracing is off, as in
 * development, tests and the benches (no tracer provider registered in this process: its Temporal
 * client sends a trace header with no trace context), while the workers export every span a
 * workflow ends to memory. tracing.test.ts follows a traced request through the same interceptors.
 */

const exporter = new InMemorySpanExporter();
const workflowSpans: Tracing = {
  enabled: true,
  resource: new Resource({ 'service.name': 'forge-test' }),
  spanProcessor: new SimpleSpanProcessor(exporter),
  shutdown: async () => undefined,
};
let stack: CodegenStack;
beforeAll(async () => {
  stack = await startCodegenStack({ tracing: workflowSpans });
});
afterAll(async () => stack?.close());

/** A starter that traced the start: the W3C trace context OpenTelemetry's client interceptor sends. */
const tracedStart = (traceparent: string): WorkflowClientInterceptor => ({
  start: (input, next) => next({ ...input, headers: { ...input.headers, '_tracer-data': defaultPayloadConverter.toPayload({ traceparent }) } }),
});

const runStackCheck = async (client: Client) => {
  const handle = await client.workflow.start<typeof stackCheckWorkflow>('stackCheckWorkflow', {
    taskQueue: taskQueues(stack.taskQueuePrefix).agents,
    workflowId: stackCheckWorkflowId(randomUUID()),
    args: [{ organizationId: null }],
  });
  expect((await handle.result()).ok).toBe(true);
  return handle;
};

it('creates no workflow span for a session, its jobs and their activities started with tracing off', async () => {
  const { session, jobId } = await runClosedSession(stack);
  // A start with no trace header at all (the plain client) is untraced too.
  await runStackCheck(stack.env.client);

  expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([]);
  // The API's header came without a trace context, and neither the session nor its job passed one on.
  const sent = headersSent(await session.fetchHistory(), '_tracer-data');
  expect(sent.start).toEqual({});
  expect(sent.children).toEqual([undefined]);
  const job = headersSent(await stack.env.client.workflow.getHandle(jobWorkflowId(jobId)).fetchHistory(), '_tracer-data');
  expect(job.start).toBeUndefined();
  expect(job.activities.length).toBeGreaterThan(0);
  expect(new Set([...sent.activities, ...job.activities])).toEqual(new Set([undefined]));
}, 120_000);

it('traces a run whose starter traced it: its span, child of the starter\'s, and its activities\'', async () => {
  exporter.reset();
  const [traceId, parentSpanId] = [randomUUID().replaceAll('-', ''), randomUUID().replaceAll('-', '').slice(0, 16)];
  const traced = new Client({ connection: stack.env.client.connection, namespace: stack.env.client.options.namespace, interceptors: { workflow: [tracedStart(`00-${traceId}-${parentSpanId}-01`)] } });
  const handle = await runStackCheck(traced);

  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name).sort()).toEqual(['RunWorkflow:stackCheckWorkflow', 'StartActivity:probeBuildWorkspace', 'StartActivity:recordStackCheck']);
  const run = spans.find((s) => s.name === 'RunWorkflow:stackCheckWorkflow')!;
  expect(run.parentSpanId).toBe(parentSpanId);
  expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
  // Each activity task carries its StartActivity span as the parent of the activity's own.
  const sent = headersSent(await handle.fetchHistory(), '_tracer-data');
  expect(sent.activities).toEqual([
    { traceparent: expect.stringContaining(traceId) },
    { traceparent: expect.stringContaining(traceId) },
  ]);
}, 60_000);
