import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createForgeClient, type ForgeClient, type StoredEvent } from '../../client/index';
import { topicFor } from '../../domain/events';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { originOf } from '../support/realtime-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

// A real codegen job (worker, Temporal, offline model) driven and watched through the SDK over
// socket.io: the commands become Temporal updates, and the watch sees exactly the stored log.
let stack: CodegenStack;
let live: TestApp;
let sdk: ForgeClient;

beforeAll(async () => {
  // Deltas are live-only: each model call waits long enough for the watch, opened once send_message
  // answers, to be subscribed before the first token, and the plan streams token by token.
  stack = await startCodegenStack({ latencyMs: 300, tokenDelayMs: 2 });
  // A socket.io node on the same database and task queues as the stack's API.
  live = await startTestApp({ TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix }, { realtime: true });
  sdk = createForgeClient({ baseUrl: originOf(live), accessToken: stack.roles.editor.token });
});
afterAll(async () => {
  sdk?.close();
  await live?.close();
  await stack?.close();
});

describe('a codegen job over socket.io', () => {
  it('runs from send_message to completion, with approval and a validator refusal in the acks', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { requireApproval: true });
    const job = await sdk.live.command('send_message', { sessionId, content: 'Build a todo app' });
    const topic = topicFor('job', job.id);
    const events: StoredEvent[] = [];
    // Each delta with the number of durable events seen when it arrived: where in the job it came.
    const deltas: Array<{ role: unknown; text: unknown; after: number }> = [];
    await sdk.watch(topic, { onEvent: (e) => events.push(e), onDelta: (d) => deltas.push({ role: d.data.role, text: d.data.text, after: events.length }) }).ready;

    const waiting = (e: StoredEvent) => e.type === 'job.stage' && e.data.status === 'waiting' && e.data.stage === 'approval';
    await vi.waitFor(() => expect(events.some(waiting)).toBe(true), { timeout: 60_000, interval: 50 });

    // The plan streamed while it was written (partial JSON), before its durable `plan` event.
    const planner = deltas.filter((d) => d.role === 'planner');
    expect(planner.length).toBeGreaterThan(1);
    const planText = planner.map((d) => d.text).join('');
    expect(JSON.parse(planText)).toMatchObject({ files: expect.any(Array) });
    expect(planner.every((d) => d.after < events.findIndex((e) => e.type === 'plan') + 1)).toBe(true);

    // The workflow's update validator refuses an answer nobody asked for; the ack carries its words.
    await expect(sdk.live.command('answer', { jobId: job.id, answer: 'blue' }))
      .rejects.toMatchObject({ status: 409, code: 'conflict', message: 'This job is not waiting for an answer' });
    const approved = await sdk.live.command('approve_plan', { jobId: job.id });
    expect(approved.id).toBe(job.id);

    const finished = await stack.waitForJob(job.id);
    expect(finished.status).toBe('completed');
    const log = await sdk.topics.allEvents(topic);
    await vi.waitFor(() => expect(events).toEqual(log));
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  });
});
