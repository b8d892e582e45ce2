import type { Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initOrm, type MikroORM } from '../../db/orm';
import { ServerCloseCode } from '../../domain/realtime';
import { appendMany, connectSocket, range, recordEvents, seedJob, type TestSocket } from '../support/realtime-fixture';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let worker: MikroORM;
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: { outbound: { maxQueuedPackets: 500, maxQueuedBytes: 1024 * 1024 } } });
  worker = await initOrm(app.deps.config.DATABASE_URL);
  people = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await worker?.close();
  await app?.close();
});

/** The TCP socket under a socket.io client's websocket (the `ws` package's `_socket`). */
const tcpOf = (socket: TestSocket) => (socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket;

describe('a slow consumer', () => {
  it('is cut off with slow_consumer, leaves the others unaffected, and resumes without loss', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const total = 4_000;
    const [slow, fast] = [await connectSocket(app, people.viewer.token), await connectSocket(app, people.viewer.token)];
    sockets.push(slow, fast);
    const [fromSlow, fromFast] = [recordEvents(slow), recordEvents(fast)];
    await slow.emitWithAck('subscribe', { topic, afterSeq: 0 });
    await fast.emitWithAck('subscribe', { topic, afterSeq: 0 });
    const slowId = slow.id!;
    const closed = new Promise<{ code?: number; reason?: string }>((resolve) => {
      slow.on('disconnect', (_reason, details) => resolve((details as { context?: { code?: number; reason?: string } })?.context ?? {}));
    });

    // The slow client stops reading: the kernel buffers fill, then the server's queue grows.
    tcpOf(slow).pause();
    const started = performance.now();
    await appendMany(worker, topic, total, { batch: 50, pad: 4_000 });
    const appendMs = performance.now() - started;

    await vi.waitFor(() => expect(app.realtime!.io.sockets.sockets.has(slowId)).toBe(false), { timeout: 15_000 });
    await vi.waitFor(() => expect(fromFast.seqs(topic)).toEqual(range(1, total)), { timeout: 15_000 });
    // The worker never waited on the slow client: NOTIFY does not block on listeners.
    expect(appendMs).toBeLessThan(30_000);

    // Reading again, it gets a gapless prefix, then the close with its reason.
    tcpOf(slow).resume();
    const close = await closed;
    expect(close).toMatchObject({ code: ServerCloseCode.slowConsumer, reason: 'slow_consumer' });
    const prefix = fromSlow.seqs(topic);
    expect(prefix).toEqual(range(1, prefix.length));
    expect(prefix.length).toBeLessThan(total);

    // It resumes by cursor on a new connection.
    const again = await connectSocket(app, people.viewer.token);
    sockets.push(again);
    const rest = recordEvents(again);
    expect(await again.emitWithAck('subscribe', { topic, afterSeq: prefix.length })).toEqual({ ok: true, through: total });
    expect([...prefix, ...rest.seqs(topic)]).toEqual(range(1, total));
  });
});
