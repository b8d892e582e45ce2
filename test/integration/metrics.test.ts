import { afterAll, beforeAll, expect, inject, it, vi } from 'vitest';
import { topicFor } from '../../domain/events';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { freePort } from '../../scripts/stack/ports';
import { isTerminal, startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { sampleSum, scrape } from '../support/prometheus-text';
import { connectSocket, originOf, recordEvents, type TestSocket } from '../support/realtime-fixture';
import { spawnBuilder, spawnWorker, type SpawnedWorker } from '../support/spawned-worker';

/**
 * One job through the real processes: the API's /metrics (HTTP latency by route and status,
 * sockets, subscriptions, relay lag) and a worker process's Prometheus endpoint (the SDK's metrics
 * and Forge's: model calls, tokens, checks) all move.
 */

const metricsToken = 'metrics-token-for-tests-0123456789';
let stack: CodegenStack;
let worker: SpawnedWorker | undefined;
let builder: SpawnedWorker | undefined;
let workerMetrics: string;
let builderMetrics: string;
let socket: TestSocket | undefined;
let sessionId: string | undefined;
beforeAll(async () => {
  stack = await startCodegenStack({ workers: false, realtime: true, app: { METRICS_TOKEN: metricsToken } });
  workerMetrics = `http://127.0.0.1:${await freePort()}/metrics`;
  worker = await spawnWorker({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix,
    OPENAI_BASE_URL: stack.model.url,
    OPENAI_API_KEY: 'test-key',
    WORKER_METRICS_ADDRESS: new URL(workerMetrics).host,
  }, 'metrics-worker');
  builderMetrics = `http://127.0.0.1:${await freePort()}/metrics`;
  builder = await spawnBuilder({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix,
    WORKER_METRICS_ADDRESS: new URL(builderMetrics).host,
  }, 'metrics-builder');
});
afterAll(async () => {
  socket?.disconnect();
  await worker?.stop();
  await builder?.stop();
  await stack?.close();
});

it('moves the API and worker counters with one job', async () => {
  const apiMetrics = `${originOf(stack.app)}/metrics`;
  expect((await fetch(apiMetrics)).status).toBe(401);
  const api = () => scrape(apiMetrics, { authorization: `Bearer ${metricsToken}` });
  const messages = { method: 'POST', route: '/api/v1/sessions/:sessionId/messages', status: '202' };
  const before = { messages: sampleSum(await api(), 'forge_http_request_duration_seconds_count', messages), coder: sampleSum(await scrape(workerMetrics), 'forge_llm_calls', { role: 'coder', outcome: 'ok' }) };

  sessionId = await stack.startSession(await stack.newProject());
  socket = await connectSocket(stack.app, stack.roles.editor.token);
  const received = recordEvents(socket);
  expect(await socket.emitWithAck('subscribe', { topic: topicFor('session', sessionId), afterSeq: 0 })).toMatchObject({ ok: true });
  const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
  const job = await stack.waitForJob(queued.id, isTerminal, 90_000);
  expect(job.status).toBe('completed');
  const planned = job.plan!.files.length;

  const apiText = await api();
  expect(sampleSum(apiText, 'forge_http_request_duration_seconds_count', messages)).toBe(before.messages + 1);
  expect(sampleSum(apiText, 'forge_http_request_duration_seconds_count', { route: '/api/v1/jobs/:jobId', status: '200' })).toBeGreaterThan(0);
  expect(sampleSum(apiText, 'forge_socket_connections')).toBe(1);
  expect(sampleSum(apiText, 'forge_realtime_subscriptions')).toBe(1);
  // Every live session event was timed from its commit to its emit here.
  expect(received.of(topicFor('session', sessionId)).length).toBeGreaterThan(0);
  expect(sampleSum(apiText, 'forge_relay_lag_seconds_count')).toBeGreaterThan(0);
  // The message went from the outbox to its session at once.
  expect(sampleSum(apiText, 'forge_message_deliveries_total', { via: 'admission', outcome: 'delivered' })).toBe(1);

  const workerText = await scrape(workerMetrics);
  // The plan's files are written by one generation activity: one coder attempt, whatever the plan's size.
  expect(planned).toBeGreaterThan(1);
  expect(sampleSum(workerText, 'forge_llm_calls', { role: 'coder', outcome: 'ok' })).toBe(before.coder + 1);
  expect(sampleSum(workerText, 'forge_llm_calls', { role: 'planner', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  expect(sampleSum(workerText, 'forge_llm_tokens', { role: 'coder', kind: 'completion' })).toBeGreaterThan(0);
  expect(sampleSum(workerText, 'forge_llm_latency_count', { role: 'router' })).toBeGreaterThanOrEqual(1);
  // The SDK's own metrics come out of the same endpoint. The job's row says completed one workflow
  // task before its run completes: wait for that task rather than race it.
  await vi.waitFor(async () => expect(sampleSum(await scrape(workerMetrics), 'temporal_workflow_completed')).toBeGreaterThanOrEqual(1), { timeout: 15_000, interval: 200 });
  // Builds are measured where they run: the builder process.
  expect(sampleSum(await scrape(builderMetrics), 'forge_builds', { activity: 'typeCheckFiles', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
}, 150_000);

it("runs workflows without the SDK's per-promise stack traces (worker/workflow-stack-traces.ts)", async () => {
  expect(sessionId, 'the job test above ran first').toBeDefined();
  // The session of the job above is still open on the spawned worker: the Web UI's stack trace query answers why there is none.
  await expect(stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId!)).query('__stack_trace')).rejects.toThrow('Workflow stack traces are not enabled on this worker');
});
