import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createForgeClient, type ForgeClient, type StoredEvent } from '../../client/index';
import { initOrm, type MikroORM } from '../../db/orm';
import { freePort } from '../../scripts/stack/ports';
import type { Topic } from '../../domain/events';
import { appendMany, originOf, range, seedJob } from '../support/realtime-fixture';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// Several API nodes and one "worker" (an ORM of its own that appends, as activities do).
let worker: MikroORM;
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
const apps: TestApp[] = [];
const clients: ForgeClient[] = [];

const startNode = async (name: string, port?: number) => {
  const app = await startTestApp({}, { realtime: { listenerName: name }, port });
  apps.push(app);
  return app;
};

beforeAll(async () => {
  worker = await initOrm(inject('databaseUrl'));
  people = await seedRoleMatrix(worker, (await startNode(`forge-test-${randomUUID()}`)).deps.tokens);
});
afterAll(async () => {
  for (const client of clients) client.close();
  for (const app of apps) await app.close().catch(() => {});
  await worker?.close();
});

function watchFrom(app: TestApp, topic: Topic) {
  const received: StoredEvent[] = [];
  const client = createForgeClient({ baseUrl: originOf(app), accessToken: people.viewer.token, reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
  clients.push(client);
  const watch = client.watch(topic, { onEvent: (e) => received.push(e) });
  return { received, ready: watch.ready };
}

const seqs = (list: StoredEvent[]) => list.map((e) => e.seq);

describe('several API nodes', () => {
  it('deliver every event to the clients of each node', async () => {
    const [a, b] = [apps[0]!, await startNode(`forge-test-${randomUUID()}`)];
    const { topic } = await seedJob(worker, people.orgId, people.editor.userId);
    const watchers = [watchFrom(a, topic), watchFrom(a, topic), watchFrom(b, topic), watchFrom(b, topic)];
    await Promise.all(watchers.map((w) => w.ready));

    await appendMany(worker, topic, 300, { batch: 3 });
    await vi.waitFor(() => {
      for (const w of watchers) expect(seqs(w.received)).toEqual(range(1, 300));
    }, { timeout: 15_000 });
  });

  it('re-read what a node missed while its LISTEN connection was down, without the clients reconnecting', async () => {
    const name = `forge-test-${randomUUID()}`;
    const node = await startNode(name);
    const { topic } = await seedJob(worker, people.orgId, people.editor.userId);
    const watcher = watchFrom(node, topic);
    await watcher.ready;
    const socketsBefore = [...node.realtime!.io.sockets.sockets.keys()];

    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    const appending = appendMany(worker, topic, 400, { batch: 2 });
    await vi.waitFor(() => expect(watcher.received.length).toBeGreaterThan(20));
    const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [name]);
    await admin.end();
    expect(rowCount).toBe(1);
    await appending;

    await vi.waitFor(() => expect(seqs(watcher.received)).toEqual(range(1, 400)), { timeout: 15_000 });
    expect([...node.realtime!.io.sockets.sockets.keys()]).toEqual(socketsBefore);
  });

  it('let clients resume without loss when their API node restarts during a job', async () => {
    const port = await freePort();
    let node = await startNode(`forge-test-${randomUUID()}`, port);
    const { topic } = await seedJob(worker, people.orgId, people.editor.userId);
    const watchers = [watchFrom(node, topic), watchFrom(node, topic)];
    await Promise.all(watchers.map((w) => w.ready));

    const appending = appendMany(worker, topic, 600, { batch: 2 });
    await vi.waitFor(() => expect(watchers[0]!.received.length).toBeGreaterThan(50));
    await node.close();
    await new Promise((r) => setTimeout(r, 300));
    node = await startNode(`forge-test-${randomUUID()}`, port);
    await appending;

    await vi.waitFor(() => {
      for (const w of watchers) expect(seqs(w.received)).toEqual(range(1, 600));
    }, { timeout: 20_000 });
  });
});
