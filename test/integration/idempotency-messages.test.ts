import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { codegenApi } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { sql } from '../support/projects';

// A message is a Temporal update: with an Idempotency-Key its update id comes from the key, so
// even a request that runs twice (its first attempt crashed after the update) queues one job.
let stack: CodegenStack;
beforeAll(async () => { stack = await startCodegenStack(); });
afterAll(async () => stack?.close());

const send = (sessionId: string, key: string, content: string) =>
  stack.app.call('POST', `/sessions/${sessionId}/messages`, { token: stack.roles.editor.token, body: { content }, headers: { 'idempotency-key': key } });

it('queues one job for a message sent twice with one key, even when the key row was lost', async () => {
  const sessionId = await stack.startSession(await stack.newProject());
  const key = randomUUID();
  const first = await send(sessionId, key, 'Build a todo app');
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  const replay = await send(sessionId, key, 'Build a todo app');
  expect(replay.status).toBe(202);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(replay.body.job.id).toBe(first.body.job.id);

  // The API crashed after the update: no stored answer, the request runs again, Temporal dedupes.
  await sql(stack.app, 'delete from idempotency_keys where key = ?', [key]);
  const rerun = await send(sessionId, key, 'Build a todo app');
  expect(rerun.status).toBe(202);
  expect(rerun.body.job.id).toBe(first.body.job.id);
  expect((await codegenApi(stack).session(sessionId)).jobs).toHaveLength(1);
  await stack.waitForJob(first.body.job.id);
});
