import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeltaPublisher } from '../../activities/events/index';
import { initOrm, type MikroORM } from '../../db/orm';
import type { Topic } from '../../domain/events';
import type { DeltaBatch } from '../../domain/realtime';
import { appendMany, connectSocket, range, recordEvents, seedJob, type TestSocket } from '../support/realtime-fixture';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let worker: MikroORM;
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: true });
  worker = await initOrm(app.deps.config.DATABASE_URL);
  people = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await worker?.close();
  await app?.close();
});

async function watcher(topic: Topic) {
  const socket = await connectSocket(app, people.viewer.token);
  sockets.push(socket);
  const batches: Array<DeltaBatch & { at: number }> = [];
  socket.on('delta', (batch) => batches.push({ ...batch, at: performance.now() }));
  const events = recordEvents(socket);
  await socket.emitWithAck('subscribe', { topic, afterSeq: 0 });
  return { batches, events, socket };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deltas', () => {
  it('reach subscribers in order, batched to at most ~20 messages a second per topic', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const { batches } = await watcher(topic);
    const publisher = createDeltaPublisher({ orm: worker }, { intervalMs: 10 });

    // ~500 tokens a second for a second: far more than a client should get as messages.
    for (const n of range(1, 500)) {
      publisher.publish(topic, { type: 'token', data: { n } });
      if (n % 5 === 0) await sleep(10);
    }
    await publisher.flush();

    await vi.waitFor(() => expect(batches.flatMap((b) => b.items.map((i) => i.data.n))).toEqual(range(1, 500)));
    const span = (batches.at(-1)!.at - batches[0]!.at) / 1000;
    // One batch right away, then one per 50 ms window at most.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(span * 20) + 2);
    // Measured where the client receives them, so one late batch can shorten the next gap: the median holds.
    const gaps = batches.slice(1).map((b, i) => b.at - batches[i]!.at).sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(45);
  });

  it("send a stream's first token at once, even while another topic's stream fills the window", async () => {
    const busy = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const starting = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const [busyWatch, startingWatch] = [await watcher(busy.topic), await watcher(starting.topic)];
    // A window far longer than the test: anything held for it would arrive only at flush().
    const publisher = createDeltaPublisher({ orm: worker }, { intervalMs: 600_000 });
    publisher.publish(busy.topic, { type: 'token', data: { n: 1 } });
    publisher.publish(busy.topic, { type: 'token', data: { n: 2 } });
    publisher.publish(starting.topic, { type: 'token', data: { n: 1 } });
    await vi.waitFor(() => expect(startingWatch.batches.flatMap((b) => b.items.map((i) => i.data.n))).toEqual([1]));
    // The busy topic's second token rode along with the new stream's first: one send, not one per window.
    await vi.waitFor(() => expect(busyWatch.batches.flatMap((b) => b.items.map((i) => i.data.n))).toEqual([1, 2]));
    publisher.publish(starting.topic, { type: 'token', data: { n: 2 } });
    await sleep(300);
    expect(startingWatch.batches.flatMap((b) => b.items.map((i) => i.data.n))).toEqual([1]);
    await publisher.flush();
    await vi.waitFor(() => expect(startingWatch.batches.flatMap((b) => b.items.map((i) => i.data.n))).toEqual([1, 2]));
  });

  it("send a stream's held tokens before the durable event that follows them", async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const { socket } = await watcher(topic);
    const order: string[] = [];
    let firstArrived!: () => void;
    const first = new Promise<void>((resolve) => { firstArrived = resolve; });
    socket.on('delta', (batch) => {
      if (batch.topic !== topic) return;
      order.push(...batch.items.map((i) => `delta ${i.data.n}`));
      firstArrived();
    });
    socket.on('event', (event) => { if (event.topic === topic) order.push('event'); });
    const publisher = createDeltaPublisher({ orm: worker });
    publisher.publish(topic, { type: 'token', data: { n: 1 } });
    await publisher.flush();
    await first;
    // Just after the API sent the first, it holds the next one for the rest of its 50 ms window;
    // the event right behind it must not pass it.
    publisher.publish(topic, { type: 'token', data: { n: 2 } });
    await publisher.flush();
    await appendMany(worker, topic, 1);
    await vi.waitFor(() => expect(order).toEqual(['delta 1', 'delta 2', 'event']));
  });

  it('never hold back a durable event, even during a flood of deltas', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const { events, batches, socket } = await watcher(topic);
    const receivedAt = new Map<number, number>();
    socket.on('event', (e) => receivedAt.set(e.seq, performance.now()));
    const publisher = createDeltaPublisher({ orm: worker });
    let flooding = true;
    const flood = (async () => {
      for (let n = 0; flooding; n++) {
        publisher.publish(topic, { type: 'log', data: { line: `build output line ${n}`.padEnd(200, '.') } });
        // ~2,000 log lines a second: a verbose build.
        if (n % 20 === 0) await sleep(10);
      }
    })();

    // From the commit (appendEvents returned) to the client: the relay's part, whatever the disk costs.
    const latencies: number[] = [];
    for (const seq of range(1, 10)) {
      await appendMany(worker, topic, 1, { from: seq });
      const committed = performance.now();
      await vi.waitFor(() => expect(receivedAt.has(seq)).toBe(true), { timeout: 5_000, interval: 1 });
      latencies.push(Math.max(0, receivedAt.get(seq)! - committed));
    }
    flooding = false;
    await flood;
    await publisher.flush();
    expect(events.seqs(topic)).toEqual(range(1, 10));
    expect(batches.length).toBeGreaterThan(0);
    // An event waits for its own commit and NOTIFY, never for a delta batch's 50 ms window.
    expect(latencies.sort((a, b) => a - b)[5]).toBeLessThan(45);
  });

  it('drops (and reports) a single delta too large for NOTIFY, delivering the rest', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const { batches } = await watcher(topic);
    const errors: Error[] = [];
    const publisher = createDeltaPublisher({ orm: worker }, { onError: (err) => errors.push(err) });
    publisher.publish(topic, { type: 'log', data: { line: 'before' } });
    publisher.publish(topic, { type: 'log', data: { line: 'y'.repeat(9_000) } });
    // Many small deltas that together exceed one NOTIFY payload: split, not dropped.
    for (const n of range(1, 100)) publisher.publish(topic, { type: 'log', data: { line: `${n}`.padEnd(150, '-') } });
    await publisher.flush();

    await vi.waitFor(() => expect(batches.flatMap((b) => b.items).length).toBe(101));
    expect(batches.flatMap((b) => b.items)[0]!.data).toEqual({ line: 'before' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
  });
});
