import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentJob, AgentSession } from '../../db/entities/index';
import { emptyUsage, SessionSettings } from '../../domain/agents';
import { freePort } from '../../scripts/stack/ports';
import { createProject, sql } from '../support/projects';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// A dependency that is down must cost a request seconds and a 503 naming it, never ~20 s and a
// 500; a message, which needs only the database, is accepted. The shared Temporal and PostgreSQL
// stay up: the broken APIs point at a closed port (down) or at a listener that accepts and never
// answers (hung), both throwaway and local to this file.

let healthy: TestApp;
let blackhole: Server;
let blackholePort: number;
const held: Socket[] = [];
const opened: TestApp[] = [];

beforeAll(async () => {
  healthy = await startTestApp();
  blackhole = createServer((socket) => held.push(socket)).listen(0, '127.0.0.1');
  await new Promise((resolve) => blackhole.once('listening', resolve));
  blackholePort = (blackhole.address() as { port: number }).port;
});
afterAll(async () => {
  for (const app of opened) await app.close().catch(() => {});
  await healthy?.close();
  for (const socket of held) socket.destroy();
  blackhole?.close();
});

async function brokenApp(overrides: Parameters<typeof startTestApp>[0]) {
  const app = await startTestApp(overrides, { lazyTemporal: true });
  opened.push(app);
  return app;
}

/**
 * A message needs only the database to be accepted (its session gets it from the outbox later): 202
 * at once, its job queued, its outbox row written. Cancelled before any node could hand it on, it
 * leaves the outbox (this fixture's session has no workflow to take it).
 */
async function expectMessageAccepted(app: TestApp, f: Awaited<ReturnType<typeof fixture>>) {
  const started = performance.now();
  const res = await app.call('POST', `/sessions/${f.sessionId}/messages`, { token: f.editor.token, body: { content: 'Build a todo app' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.job.status).toBe('queued');
  const seconds = (performance.now() - started) / 1000;
  const outbox = () => sql(healthy, 'select job_id from message_outbox where job_id = ?', [res.body.job.id]);
  expect(await outbox()).toHaveLength(1);
  await app.deps.deliveries.close();
  const cancelled = await healthy.call('POST', `/jobs/${res.body.job.id}/cancel`, { token: f.editor.token });
  expect(cancelled.body.job?.status, JSON.stringify(cancelled.body)).toBe('cancelled');
  expect(await outbox()).toHaveLength(0);
  return seconds;
}

/** Calls and times: the answer must be a 503 with Retry-After and the dependency's code. */
async function expectOutage(call: () => Promise<{ status: number; body: any; headers: Headers }>, code: string) {
  const started = performance.now();
  const res = await call();
  const seconds = (performance.now() - started) / 1000;
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.body.error.code).toBe(code);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  return seconds;
}

async function fixture() {
  const m = await seedRoleMatrix(healthy.deps.orm, healthy.deps.tokens);
  const projectId = await createProject(healthy, m.editor.token, m.orgId);
  // A session row with no workflow behind it: the broken API must fail at Temporal, after the database.
  const em = healthy.deps.orm.em.fork();
  const session = em.create(AgentSession, { organizationId: m.orgId, projectId, createdById: m.editor.userId, title: 'outage', status: 'open', settings: SessionSettings.parse({}), usage: emptyUsage() });
  await em.flush();
  return { ...m, projectId, sessionId: session.id };
}

it('answers 503 temporal_unavailable within seconds when the Temporal server is down (closed port), and accepts messages', async () => {
  const f = await fixture();
  const app = await brokenApp({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  const startSession = await expectOutage(() => app.call('POST', `/projects/${f.projectId}/sessions`, { token: f.editor.token, body: {} }), 'temporal_unavailable');
  // The SDK's default retries took ~20 s; the bounded ones give up after ~2 s of backoff.
  expect(startSession).toBeLessThan(8);
  expect(await expectMessageAccepted(app, f)).toBeLessThan(8);
  // Reads that need only the database still work.
  expect((await app.call('GET', `/projects/${f.projectId}`, { token: f.editor.token })).status).toBe(200);
}, 60_000);

it('answers 503 temporal_unavailable at the RPC deadline when the Temporal server hangs, and accepts messages', async () => {
  const f = await fixture();
  const app = await brokenApp({ TEMPORAL_ADDRESS: `127.0.0.1:${blackholePort}`, TEMPORAL_RPC_TIMEOUT_MS: '1500', TEMPORAL_WAIT_TIMEOUT_MS: '2500' });
  const startSession = await expectOutage(() => app.call('POST', `/projects/${f.projectId}/sessions`, { token: f.editor.token, body: {} }), 'temporal_unavailable');
  expect(startSession).toBeLessThan(8);
  expect(await expectMessageAccepted(app, f)).toBeLessThan(8);
}, 60_000);

it('answers 503 database_unavailable within seconds when PostgreSQL is down or hangs', async () => {
  const m = await seedRoleMatrix(healthy.deps.orm, healthy.deps.tokens);
  for (const port of [await freePort(), blackholePort]) {
    const app = await brokenApp({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/forge` });
    const create = await expectOutage(() => app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.editor.token, body: { name: 'Outage' } }), 'database_unavailable');
    const read = await expectOutage(() => app.call('GET', `/orgs/${m.orgId}/projects`, { token: m.editor.token }), 'database_unavailable');
    expect(create).toBeLessThan(8);
    expect(read).toBeLessThan(8);
  }
}, 60_000);
