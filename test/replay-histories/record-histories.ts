import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { jobWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { closeSessionSignal } from '../../workflows/session-signals';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { historyToJson } from '../support/history-json';
import { recordedHistoryUrl, type RecordedHistory } from '../support/recorded-histories';

// Writes session, fullJob and questionJob only; the *Before* histories are kept as recorded.
import { scriptMissingHookImport } from '../support/scripted-type-error';

/**
 * Records the histories that codegen-replay.test.ts replays: a real session on the real stack,
 * whose first job visits every stage (intent, questions, plan, approval, generate, check, fix,
 * save) and whose second is a question. Not a test of its own: `tsx scripts/record-histories.ts`
 * runs it (its name keeps it out of `npm test`) after a deliberate, replay-breaking workflow change.
 */

let stack: CodegenStack;
beforeAll(async () => { stack = await startCodegenStack(); });
afterAll(async () => stack?.close());

it('records a session whose jobs cover every stage', async () => {
  const { app, roles } = stack;
  const token = roles.editor.token;
  const projectId = await stack.newProject();
  const sessionId = await stack.startSession(projectId, { requireApproval: true, generateConcurrency: 1 });
  const waitingAt = (stage: JobDto['stage']) => (j: JobDto) => (j.status === 'waiting' && j.stage === stage) || ['completed', 'failed', 'cancelled'].includes(j.status);

  // Two words are too few to act on: the router asks what to build.
  const first = await stack.send(sessionId, 'Counter app');
  expect((await stack.waitForJob(first.id, waitingAt('questions'))).stage).toBe('questions');
  expect((await app.call('POST', `/jobs/${first.id}/answer`, { token, body: { answer: 'A counter with plus and minus buttons' } })).status).toBe(202);
  const planned = await stack.waitForJob(first.id, waitingAt('approval'));
  expect(planned.stage).toBe('approval');

  // The counter comes back without its hook import, so the check fails once and the fixer repairs it.
  scriptMissingHookImport(stack.model, planned.plan!.files.map((f) => f.path));
  expect((await app.call('POST', `/jobs/${first.id}/approve`, { token })).status).toBe(202);
  const done = await stack.waitForJob(first.id);
  expect(done.status).toBe('completed');

  const events = await app.call('GET', `/topics/job:${first.id}/events?afterSeq=0`, { token });
  const stages = events.body.items.filter((e: { type: string }) => e.type === 'job.stage').map((e: { data: { stage: string } }) => e.data.stage);
  expect(stages).toEqual(['intent', 'questions', 'plan', 'approval', 'generate', 'check', 'fix', 'check', 'save']);

  const second = await stack.send(sessionId, 'What files does my app have?');
  expect(await stack.waitForJob(second.id)).toMatchObject({ status: 'completed', intent: 'question' });

  const session = stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId));
  await session.signal(closeSessionSignal);
  await session.result();

  const save = async (name: RecordedHistory, workflowId: string) => {
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(recordedHistoryUrl(name), `${historyToJson(history)}\n`);
  };
  await save('session', sessionWorkflowId(sessionId));
  await save('fullJob', jobWorkflowId(first.id));
  await save('questionJob', jobWorkflowId(second.id));
}, 120_000);
