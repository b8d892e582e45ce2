import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../../domain/session-limits';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { sendMessageUpdate } from '../../workflows/session-signals';
import { codegenApi, eventually } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

const MAX_TURNS = 2;
/** Long enough for a test to finish talking to an open session, short enough to wait for a close. */
const IDLE_SECONDS = 4;

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack({ app: { SESSION_MAX_TURNS: String(MAX_TURNS), SESSION_IDLE_SECONDS: String(IDLE_SECONDS) } });
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

const post = (sessionId: string, body: unknown, token = stack.roles.editor.token) => stack.app.call('POST', `/sessions/${sessionId}/messages`, { token, body });
const sessionHandle = (sessionId: string, runId?: string) => stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId), runId);

describe.concurrent('messages to a session', () => {
  it('refuses an invalid message or a caller without the right role, starting nothing', async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    const refusals = await Promise.all([
      post(sessionId, { content: '' }),
      post(sessionId, { content: '  \n ' }),
      post(sessionId, { content: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }),
      post(sessionId, {}),
      post(sessionId, { content: 'Build a todo app' }, stack.roles.viewer.token),
      post(sessionId, { content: 'Build a todo app' }, stack.roles.outsider.token),
      post(randomUUID(), { content: 'Build a todo app' }),
    ]);
    expect(refusals.map((r) => [r.status, r.body.error.code])).toEqual([
      [400, 'invalid_input'],
      [400, 'invalid_input'],
      [400, 'invalid_input'],
      [400, 'invalid_input'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    expect(JSON.stringify(refusals[2]!.body.error.details)).toContain(`over ${MAX_MESSAGE_CHARS} characters`);
    expect((await api.session(sessionId)).jobs).toEqual([]);
  });

  it('checks the session in the admission itself, not only where the node found its organization', async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    // As if this node had the session under the wrong organization: the statement reads the row, in that organization only.
    stack.app.deps.sessionOrganizations.remember(sessionId, stack.roles.otherOrgId);
    try {
      const res = await post(sessionId, { content: 'Build a todo app' });
      expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
      expect((await api.session(sessionId)).jobs).toEqual([]);
    } finally {
      stack.app.deps.sessionOrganizations.remember(sessionId, stack.roles.orgId);
    }
  });

  it('has the session workflow refuse an invalid message in its update validator, before anything is recorded', async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    const update = (content: string) => sessionHandle(sessionId).executeUpdate(sendMessageUpdate, { args: [{ content, actorId: stack.roles.editor.userId }] });
    for (const content of [' ', 'x'.repeat(MAX_MESSAGE_CHARS + 1)]) {
      const err = await update(content).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
      expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('invalid_input');
    }
    expect((await api.session(sessionId)).jobs).toEqual([]);
  });

  it('answers a message as queued, and runs one whose row no API node wrote (the session writes it)', async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    const posted = await stack.send(sessionId, 'What can you build for me?');
    expect(posted).toMatchObject({ sessionId, status: expect.stringMatching(/^(queued|running|completed)$/) });
    await stack.waitForJob(posted.id);
    // Accepted straight through Temporal, as if the API node died before its write: the session
    // writes the row itself before running the job (right away here, the session being idle).
    const { jobId } = await sessionHandle(sessionId).executeUpdate(sendMessageUpdate, { args: [{ content: 'And what files do I have?', actorId: stack.roles.editor.userId }] });
    await eventually(async () => (await api.session(sessionId)).jobs.some((j) => j.id === jobId), 'the row the session writes');
    expect(await stack.waitForJob(jobId)).toMatchObject({ status: 'completed', intent: 'question', input: { content: 'And what files do I have?' } });
    const session = await api.session(sessionId);
    expect(session.jobs.map((j) => j.id)).toEqual([posted.id, jobId]);
    // Written by the API and again by the session, each message is one event on the session's topic.
    const events = await stack.app.call('GET', `/topics/session:${sessionId}/events?afterSeq=0`, { token: stack.roles.editor.token });
    expect(events.body.items.filter((e: { type: string }) => e.type === 'message').map((e: { data: { jobId: string } }) => e.data.jobId)).toEqual([posted.id, jobId]);
  });

  it(`continues as new every ${MAX_TURNS} turns, carrying queued messages, and runs them all in order`, async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    const firstRun = (await sessionHandle(sessionId).describe()).runId;
    const queued = [];
    for (let i = 1; i <= 5; i++) queued.push(await stack.send(sessionId, `What can you build for me, question ${i}?`));

    const jobs = [];
    for (const q of queued) jobs.push(await stack.waitForJob(q.id));
    expect(jobs.map((j) => [j.status, j.intent])).toEqual(queued.map(() => ['completed', 'question']));
    for (let i = 1; i < jobs.length; i++) expect(Date.parse(jobs[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(jobs[i - 1]!.finishedAt!));
    expect((await api.session(sessionId)).jobs.map((j) => j.id)).toEqual(queued.map((j) => j.id));

    // Five turns at two per run: the first run continued as new, and the session is still open.
    expect((await sessionHandle(sessionId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const current = await sessionHandle(sessionId).describe();
    expect(current.runId).not.toBe(firstRun);
    expect(current.status.name).toBe('RUNNING');
  });

  it(`closes a session idle for ${IDLE_SECONDS} s; a message to it is then refused with 409`, async () => {
    const sessionId = await stack.startSession(await stack.newProject());
    await eventually(async () => (await api.session(sessionId)).status === 'closed', 'the session to close', 20_000);
    await expect(sessionHandle(sessionId).result()).resolves.toBeUndefined();
    const events = await stack.app.call('GET', `/topics/session:${sessionId}/events?afterSeq=0`, { token: stack.roles.viewer.token });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['session.closed']);

    const res = await post(sessionId, { content: 'Build a todo app' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', message: 'This session is closed' });
    expect((await api.session(sessionId)).jobs).toEqual([]);
  });
});
