import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, range, seedJob, type TestSocket } from '../support/realtime-fixture';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
let job: Awaited<ReturnType<typeof seedJob>>;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: true });
  people = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  job = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await app?.close();
});

const connect = async (token: string) => {
  const socket = await connectSocket(app, token);
  sockets.push(socket);
  return socket;
};

describe('commands over the socket', () => {
  it('refuses every command on another organization\'s job or session as not_found', async () => {
    const outsider = await connect(people.outsider.token);
    const { jobId, sessionId } = job;
    expect(await outsider.emitWithAck('cancel', { jobId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await outsider.emitWithAck('approve_plan', { jobId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await outsider.emitWithAck('reject_plan', { jobId, feedback: 'no' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await outsider.emitWithAck('answer', { jobId, answer: 'yes' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await outsider.emitWithAck('send_message', { sessionId, content: 'hi' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses a viewer\'s commands as forbidden', async () => {
    const viewer = await connect(people.viewer.token);
    expect(await viewer.emitWithAck('cancel', { jobId: job.jobId })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/editor/) } });
    expect(await viewer.emitWithAck('send_message', { sessionId: job.sessionId, content: 'hi' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('validates payloads with the REST schemas', async () => {
    const editor = await connect(people.editor.token);
    const bad = await editor.emitWithAck('reject_plan', { jobId: job.jobId, feedback: '   ' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', details: { issues: [expect.objectContaining({ path: 'feedback' })] } } });
    expect(await editor.emitWithAck('cancel', { jobId: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('sends an editor\'s command to Temporal and acks what Temporal said', async () => {
    const editor = await connect(people.editor.token);
    // The seeded job has no workflow: Temporal answers "not found", which is the client's conflict.
    expect(await editor.emitWithAck('cancel', { jobId: job.jobId })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'This job is no longer running' },
    });
    expect(await editor.emitWithAck('approve_plan', { jobId: job.jobId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('rate limits commands per socket', async () => {
    const editor = await connect(people.editor.token);
    const answers = await Promise.all(range(1, 15).map(() => editor.emitWithAck('cancel', { jobId: randomUUID() })));
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
    // A burst of 10 reaches the handler (unknown jobs: not_found); the rest are refused unread.
    expect(codes.filter((c) => c === 'not_found').length).toBeGreaterThanOrEqual(10);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(4);
  });
});
