import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createForgeClient, type ForgeClient, type StoredEvent } from '../../client/index';
import { cutSlowConsumer } from '../../api/realtime/relay';
import { initOrm, type MikroORM } from '../../db/orm';
import type { Topic } from '../../domain/events';
import { appendEvents } from '../../db/repositories/event-log';
import { originOf, range, seedJob } from '../support/realtime-fixture';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let worker: MikroORM;
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
const clients: ForgeClient[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: true });
  worker = await initOrm(app.deps.config.DATABASE_URL, { pool: { min: 0, max: 6 } });
  people = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await worker?.close();
  await app?.close();
});

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A busy job: `total` events in transactions of 1 to 8, with gaps of 0 to 4 ms between them (a
 * stream's pace). Without gaps, a one-statement append finishes the job in about half a second,
 * too soon for the many cuts this test is about.
 */
async function busyJob(topic: Topic, total: number) {
  for (let seq = 1; seq <= total; ) {
    const size = Math.min(random(1, 8), total - seq + 1);
    await appendEvents(worker.em.fork(), topic, range(seq, seq + size - 1).map((n) => ({ type: 'plan.approved', data: { n }, key: `w:${n}` })));
    seq += size;
    await sleep(random(0, 4));
  }
}

/** Cuts a random socket of the node the way networks and the server do. */
async function cutRandomSocket(): Promise<void> {
  const sockets = [...app.realtime!.io.sockets.sockets.values()];
  const socket = sockets[random(0, sockets.length - 1)];
  if (!socket) return;
  const how = random(0, 2);
  if (how === 0) socket.disconnect(true); // the server ends the session: the client reconnects itself
  else if (how === 1) socket.conn.close(); // the transport drops
  else cutSlowConsumer(socket); // the slow-consumer cut, close code 4008
}

describe('replay under load', () => {
  it('gives clients that are disconnected at random points the same sequence as the REST log', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const total = 1_500;
    const received: StoredEvent[][] = range(1, 6).map(() => []);
    const watch = (list: StoredEvent[]) => {
      const client = createForgeClient({ baseUrl: originOf(app), accessToken: people.viewer.token, reconnect: { minDelayMs: 5, maxDelayMs: 100 } });
      clients.push(client);
      client.watch(topic, { onEvent: (e) => list.push(e) });
    };
    // Half watch from the start; half join while the job is busy, so their replay races live events.
    for (const list of received.slice(0, 3)) watch(list);
    let cuts = 0;
    const job = busyJob(topic, total);
    void sleep(150).then(() => received.slice(3).forEach(watch));
    let running = true;
    void job.finally(() => { running = false; });
    while (running) {
      await sleep(random(10, 80));
      await cutRandomSocket();
      cuts += 1;
    }
    await job;

    await vi.waitFor(() => expect(received.map((l) => l.length)).toEqual(received.map(() => total)), { timeout: 30_000, interval: 50 });
    const log = await createForgeClient({ baseUrl: originOf(app), accessToken: people.viewer.token }).topics.allEvents(topic);
    expect(log.map((e) => e.seq)).toEqual(range(1, total));
    for (const list of received) expect(list).toEqual(log);
    expect(cuts).toBeGreaterThan(10);
  }, 180_000);

  it('resumes a watch started again from the lastSeq of a closed one, with nothing missed or repeated', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const total = 1_000;
    const received: StoredEvent[] = [];
    const client = createForgeClient({ baseUrl: originOf(app), accessToken: people.viewer.token });
    clients.push(client);

    const job = busyJob(topic, total);
    let watch = client.watch(topic, { onEvent: (e) => received.push(e) });
    for (const _ of range(1, 8)) {
      await sleep(random(10, 80));
      const lastSeq = watch.lastSeq;
      watch.close();
      watch = client.watch(topic, { afterSeq: lastSeq, onEvent: (e) => received.push(e) });
    }
    await job;
    await vi.waitFor(() => expect(received.length).toBe(total), { timeout: 20_000 });
    expect(received.map((e) => e.seq)).toEqual(range(1, total));
  }, 120_000);
});
