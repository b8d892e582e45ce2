import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createForgeClient } from '../../client/index';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { cuttingProxy } from '../support/cutting-proxy';
import { connectSocket, seedJob } from '../support/realtime-fixture';
import { createProject, sql } from '../support/projects';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// Safe retries: a creating POST with an Idempotency-Key runs once per (user, key). A queue prefix
// of its own keeps the session workflows this file starts away from every worker; they are
// terminated at the end.
let app: TestApp;
const started: string[] = [];
beforeAll(async () => { app = await startTestApp({ TEMPORAL_TASK_QUEUE_PREFIX: `idem-${randomUUID().slice(0, 8)}-` }, { realtime: true }); });
afterAll(async () => {
  for (const id of started) await app.deps.temporal.workflow.getHandle(id).terminate('test over').catch(() => {});
  await app?.close();
});

const createWithKey = (orgId: string, token: string, key: string, body: object) =>
  app.call('POST', `/orgs/${orgId}/projects`, { token, body, headers: { 'idempotency-key': key } });

const projectsNamed = async (orgId: string, name: string) =>
  (await sql<{ n: string }>(app, 'select count(*)::int as n from projects where organization_id = ? and name = ?', [orgId, name]))[0]!.n;

it('answers a retry with the first result and its status, and creates one project', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const key = randomUUID();
  const first = await createWithKey(m.orgId, m.editor.token, key, { name: 'Once' });
  const again = await createWithKey(m.orgId, m.editor.token, key, { name: 'Once' });
  expect(first.status).toBe(201);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  expect(await projectsNamed(m.orgId, 'Once')).toBe(1);
  // Without a key, the same body is a new request each time.
  await app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.editor.token, body: { name: 'Once' } });
  expect(await projectsNamed(m.orgId, 'Once')).toBe(2);
});

it('refuses the same key with another body or route (422), keeps keys per user, and replays a 4xx answer', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const key = randomUUID();
  expect((await createWithKey(m.orgId, m.editor.token, key, { name: 'First' })).status).toBe(201);
  const reused = await createWithKey(m.orgId, m.editor.token, key, { name: 'Second' });
  expect(reused.status).toBe(422);
  expect(reused.body.error.code).toBe('idempotency_key_reused');
  const otherRoute = await app.call('POST', `/orgs/${m.orgId}/invites`, { token: m.admin.token, body: { email: 'x@example.test', role: 'viewer' }, headers: { 'idempotency-key': key } });
  expect(otherRoute.status).toBe(201); // another user: the key is theirs to use
  expect((await app.call('POST', `/orgs/${m.orgId}/invites`, { token: m.editor.token, body: { email: 'y@example.test', role: 'viewer' }, headers: { 'idempotency-key': key } })).status).toBe(422);

  // A refused request (viewer: 403) is a final answer too: the retry gets the same 403.
  const viewerKey = randomUUID();
  const denied = await createWithKey(m.orgId, m.viewer.token, viewerKey, { name: 'Nope' });
  const deniedAgain = await createWithKey(m.orgId, m.viewer.token, viewerKey, { name: 'Nope' });
  expect([denied.status, deniedAgain.status]).toEqual([403, 403]);
  expect(deniedAgain.headers.get('idempotent-replayed')).toBe('true');
  expect((await createWithKey(m.orgId, m.editor.token, 'not a key', { name: 'X' })).status).toBe(400);
});

it('creates one thing when concurrent requests share a key', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const key = randomUUID();
  const answers = await Promise.all(Array.from({ length: 6 }, () => createWithKey(m.orgId, m.editor.token, key, { name: 'Race' })));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
  expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
  expect(await projectsNamed(m.orgId, 'Race')).toBe(1);
});

it('the SDK retries a request whose answer was cut, with the same key: exactly one project and one session', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  // One proxy per call: each cuts the answer of its first connection, then lets the retry through.
  const viaCuttingProxy = async <T>(call: (sdk: ReturnType<typeof createForgeClient>) => Promise<T>) => {
    const proxy = await cuttingProxy(new URL(app.baseUrl), 1);
    try {
      const result = await call(createForgeClient({ baseUrl: proxy.url, accessToken: m.editor.token, retry: { baseDelayMs: 20 } }));
      expect(proxy.cut).toBe(1);
      return result;
    } finally {
      await proxy.close();
    }
  };
  const project = await viaCuttingProxy((sdk) => sdk.projects.create(m.orgId, { name: 'Cut' }));
  expect(await projectsNamed(m.orgId, 'Cut')).toBe(1);

  const session = await viaCuttingProxy((sdk) => sdk.sessions.create(project.id, { title: 'Cut session' }));
  started.push(sessionWorkflowId(session.id));
  const rows = await sql<{ id: string }>(app, 'select id from agent_sessions where project_id = ?', [project.id]);
  expect(rows.map((r) => r.id)).toEqual([session.id]);
  const description = await app.deps.temporal.workflow.getHandle(sessionWorkflowId(session.id)).describe();
  expect(description.status.name).toBe('RUNNING');
});

it('derives the session id from the key, so a re-run after a crash finds its row and its workflow', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  const key = randomUUID();
  const first = await app.call('POST', `/projects/${projectId}/sessions`, { token: m.editor.token, body: {}, headers: { 'idempotency-key': key } });
  expect(first.status).toBe(201);
  started.push(sessionWorkflowId(first.body.id));
  // A crashed first attempt: its key row is gone (or its lease ran out); the request runs again.
  await sql(app, 'delete from idempotency_keys where key = ?', [key]);
  const rerun = await app.call('POST', `/projects/${projectId}/sessions`, { token: m.editor.token, body: {}, headers: { 'idempotency-key': key } });
  expect(rerun.status).toBe(201);
  expect(rerun.body.id).toBe(first.body.id);
  expect(await sql(app, 'select id from agent_sessions where project_id = ?', [projectId])).toHaveLength(1);
});

it('runs a socket command once per idempotencyKey: a resend gets the first ack, another command with the key is refused', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const { jobId } = await seedJob(app.deps.orm, m.orgId, m.editor.userId);
  const other = await seedJob(app.deps.orm, m.orgId, m.editor.userId);
  const socket = await connectSocket(app, m.editor.token);
  try {
    const key = randomUUID();
    // The job has no workflow: the first cancel is refused (409), and that answer is the key's.
    const first = await socket.emitWithAck('cancel', { jobId, idempotencyKey: key });
    expect(first).toMatchObject({ ok: false, error: { code: 'conflict', message: 'This job is no longer running' } });
    // Meanwhile the job ended: a fresh cancel would say so; the resend gets the first answer.
    await sql(app, `update agent_jobs set status = 'completed' where id = ?`, [jobId]);
    expect(await socket.emitWithAck('cancel', { jobId })).toMatchObject({ ok: false, error: { message: 'This job is already completed' } });
    expect(await socket.emitWithAck('cancel', { jobId, idempotencyKey: key })).toEqual(first);
    expect(await socket.emitWithAck('cancel', { jobId: other.jobId, idempotencyKey: key })).toMatchObject({ ok: false, error: { code: 'idempotency_key_reused' } });
    expect(await socket.emitWithAck('cancel', { jobId, idempotencyKey: 'no spaces allowed' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // Text PostgreSQL cannot store is refused at the door, as on REST.
    expect(await socket.emitWithAck('send_message', { sessionId: other.sessionId, content: 'a\u0000b' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  } finally {
    socket.close();
  }
});
