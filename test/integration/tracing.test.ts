import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../telemetry/tracing';
import { runClosedSession, startCodegenStack, type CodegenStack } from '../support/codegen-stack';

/**
 * One trace from an API request through the workflows and their activities to the model call,
 * collected in memory from the real API, client interceptors, workflow sink and activity interceptors.
 */

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: CodegenStack;
beforeAll(async () => {
  tracing = startTracing({ serviceName: 'forge-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  stack = await startCodegenStack({ tracing });
});
afterAll(async () => {
  await stack?.close();
  await tracing?.shutdown();
});

/** The span's ancestors' names, nearest first, up to the trace's root. */
function ancestry(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const names: string[] = [];
  for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) {
    names.push(parent.name);
  }
  return names;
}

it('follows a job from the API request that started its session to the model call', async () => {
  // A workflow's span is exported when the run ends: the session is closed to see the whole chain.
  await runClosedSession(stack);

  const spans = exporter.getFinishedSpans();
  const router = spans.find((s) => s.name === 'llm router');
  expect(router, spans.map((s) => s.name).join(', ')).toBeDefined();
  const chain = ancestry(router!, spans);
  console.info(['llm router', ...chain].join(' <- '));
  expect(chain).toEqual([
    'RunActivity:classifyIntent',
    'StartActivity:classifyIntent',
    'RunWorkflow:codegenJobWorkflow',
    'StartChildWorkflow:codegenJobWorkflow',
    'RunWorkflow:sessionWorkflow',
    'StartWorkflow:sessionWorkflow',
    'POST /api/v1/projects/:projectId/sessions',
  ]);
  // One trace, rooted at the API's server span.
  const root = spans.find((s) => s.name === chain.at(-1))!;
  expect(root.kind).toBe(SpanKind.SERVER);
  expect(root.parentSpanId).toBeUndefined();
  expect(new Set([router!, ...spans.filter((s) => chain.includes(s.name))].map((s) => s.spanContext().traceId)).size).toBe(1);
}, 120_000);
