import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { freePort } from '../../scripts/stack/ports';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { sql } from '../support/projects';
import { sampleSum } from '../support/prometheus-text';
import { startTestApp, type TestApp } from '../support/test-app';

// Messages reach their sessions through the outbox (message_outbox): the POST answers once the
// row, the event and the outbox row are committed, and any API node hands the message on. Here a
// node whose Temporal is down accepts messages, and the stack's own node delivers them.
let stack: CodegenStack;
beforeAll(async () => { stack = await startCodegenStack(); });
afterAll(async () => stack?.close());

/** A node of the same deployment that cannot reach Temporal (a closed port): it can only admit. */
async function acceptWithoutTemporal(sessionId: string, content: string): Promise<string> {
  const offline: TestApp = await startTestApp({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix }, { lazyTemporal: true });
  try {
    const res = await offline.call('POST', `/sessions/${sessionId}/messages`, { token: stack.roles.editor.token, body: { content } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.job.id;
  } finally {
    // Its delivery fails and gives the message back for a sweep.
    await offline.close();
  }
}

const outboxRows = (jobId: string) => sql(stack.app, 'select job_id from message_outbox where job_id = ?', [jobId]);

/** How many `queueMessage` signals carrying `jobId` the session's workflow received. */
async function signalsFor(sessionId: string, jobId: string): Promise<number> {
  const history = await stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'queueMessage'
    && (e.workflowExecutionSignaledEventAttributes.input?.payloads ?? []).some((p) => Buffer.from(p.data ?? []).toString().includes(jobId))).length;
}

it('runs a message accepted while Temporal was down once a node that reaches it sweeps the outbox', async () => {
  const sessionId = await stack.startSession(await stack.newProject());
  const jobId = await acceptWithoutTemporal(sessionId, 'Build a todo app');
  expect(await outboxRows(jobId)).toHaveLength(1);
  await stack.app.deps.deliveries.sweep();
  expect((await stack.waitForJob(jobId)).status).toBe('completed');
  expect(await outboxRows(jobId)).toHaveLength(0);
  expect(await signalsFor(sessionId, jobId)).toBe(1);
  const metrics = await stack.app.deps.metrics.registry.metrics();
  expect(sampleSum(metrics, 'forge_message_deliveries_total', { via: 'sweep', outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
});

it('cancels a message its session has not received in the outbox: it never reaches the session', async () => {
  const sessionId = await stack.startSession(await stack.newProject());
  const jobId = await acceptWithoutTemporal(sessionId, 'Build a todo app');
  const cancelled = await stack.app.call('POST', `/jobs/${jobId}/cancel`, { token: stack.roles.editor.token });
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
  expect(cancelled.body.job.status).toBe('cancelled');
  await stack.app.deps.deliveries.sweep();
  expect(await outboxRows(jobId)).toHaveLength(0);
  expect(await signalsFor(sessionId, jobId)).toBe(0);
  const events = await stack.app.call('GET', `/topics/job:${jobId}/events?afterSeq=0`, { token: stack.roles.viewer.token });
  expect(events.body.items.map((e: { type: string; data: { status?: string } }) => [e.type, e.data.status])).toEqual([['job.finished', 'cancelled']]);
});

it('cancels a message whose session workflow has ended (terminated by an operator) when it is handed on', async () => {
  const sessionId = await stack.startSession(await stack.newProject());
  const jobId = await acceptWithoutTemporal(sessionId, 'Build a todo app');
  await stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId)).terminate('an operator ended it');
  await stack.app.deps.deliveries.sweep();
  expect(await outboxRows(jobId)).toHaveLength(0);
  expect((await stack.waitForJob(jobId)).status).toBe('cancelled');
  const metrics = await stack.app.deps.metrics.registry.metrics();
  expect(sampleSum(metrics, 'forge_message_deliveries_total', { via: 'sweep', outcome: 'cancelled' })).toBeGreaterThanOrEqual(1);
});

it('does not hand on again a message whose job has run (its node died after the signal, before the row went)', async () => {
  const sessionId = await stack.startSession(await stack.newProject());
  const job = await stack.send(sessionId, 'Build a todo app');
  expect((await stack.waitForJob(job.id)).status).toBe('completed');
  expect(await outboxRows(job.id)).toHaveLength(0);
  // The row a node that died would have left behind, its claim run out.
  await sql(stack.app, 'insert into message_outbox (job_id, token_cap, claimed_until) values (?, 1000, now())', [job.id]);
  await stack.app.deps.deliveries.sweep();
  expect(await outboxRows(job.id)).toHaveLength(0);
  expect(await signalsFor(sessionId, job.id)).toBe(1);
});
