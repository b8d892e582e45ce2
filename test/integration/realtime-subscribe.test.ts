import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendEvents } from '../../db/repositories/event-log';
import { initOrm, type MikroORM } from '../../db/orm';
import { topicFor, type Topic } from '../../domain/events';
import { seedRoleMatrix } from '../support/seed';
import { appendMany, connectSocket, range, recordEvents, seedJob, type TestSocket } from '../support/realtime-fixture';
import { startTestApp, testSecret, type TestApp } from '../support/test-app';

let app: TestApp;
let worker: MikroORM; // appends as a worker process would: its own pool, not the API's
let people: Awaited<ReturnType<typeof seedRoleMatrix>>;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: { inbound: { commands: { burst: 10, perSecond: 2 }, subscriptions: { burst: 30, perSecond: 1 }, maxPayloadChars: 4_096 } } });
  worker = await initOrm(app.deps.config.DATABASE_URL);
  people = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await worker?.close();
  await app?.close();
});

const connect = async (token: string) => {
  const socket = await connectSocket(app, token);
  sockets.push(socket);
  return socket;
};
const subscribe = (socket: TestSocket, topic: Topic | string, afterSeq = 0) =>
  socket.emitWithAck('subscribe', { topic: topic as Topic, afterSeq });

describe('handshake', () => {
  const refusal = (token: string | undefined) => connectSocket(app, token).then(() => 'connected', (err: Error & { data?: unknown }) => ({ message: err.message, data: err.data }));

  it('refuses a connection without a token, with a forged token and with an expired token, saying which', async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(people.viewer.userId).setIssuer('forge').setAudience('forge-api')
      .setExpirationTime('5m').sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(people.viewer.userId).setIssuer('forge').setAudience('forge-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(testSecret));

    expect(await refusal(undefined)).toMatchObject({ data: { code: 'unauthorized', reason: 'token_missing' } });
    expect(await refusal('not-a-jwt')).toMatchObject({ data: { code: 'unauthorized', reason: 'token_invalid' } });
    expect(await refusal(forged)).toMatchObject({ data: { code: 'unauthorized', reason: 'token_invalid' } });
    expect(await refusal(expired)).toMatchObject({ message: expect.stringMatching(/expired/), data: { code: 'unauthorized', reason: 'token_expired' } });
    expect(await refusal(people.viewer.token)).toBe('connected');
  });
});

describe('subscribe', () => {
  it('replays the events after afterSeq, acks with through, then relays live ones, each once and in order', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    await appendMany(worker, topic, 5);
    const socket = await connect(people.viewer.token);
    const received = recordEvents(socket);

    const ack = await subscribe(socket, topic, 2);
    expect(ack).toEqual({ ok: true, through: 5 });
    // The replay arrives before the ack.
    expect(received.seqs(topic)).toEqual([3, 4, 5]);

    await appendMany(worker, topic, 3, { from: 6, batch: 3 });
    await vi.waitFor(() => expect(received.seqs(topic)).toEqual([3, 4, 5, 6, 7, 8]));
    const rest = await app.call('GET', `/topics/${topic}/events?afterSeq=2`, { token: people.viewer.token });
    expect(received.of(topic)).toEqual(rest.body.items);
  });

  it('relays an event too large for NOTIFY by reading it from the table', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const socket = await connect(people.editor.token);
    const received = recordEvents(socket);
    await subscribe(socket, topic);

    await appendMany(worker, topic, 1, { pad: 20_000 });
    await appendMany(worker, topic, 1, { from: 2 });
    await vi.waitFor(() => expect(received.seqs(topic)).toEqual([1, 2]));
    expect((received.of(topic)[0]!.data.padding as string).length).toBe(20_000);
  });

  it('never relays an append whose transaction rolled back', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const socket = await connect(people.editor.token);
    const received = recordEvents(socket);
    await subscribe(socket, topic);

    await expect(worker.em.fork().transactional(async (tx) => {
      await appendEvents(tx, topic, [{ type: 'plan.approved', data: { n: 'ghost' }, key: null }]);
      throw new Error('the activity failed after appending');
    })).rejects.toThrow('the activity failed');
    await appendMany(worker, topic, 1);
    await vi.waitFor(() => expect(received.seqs(topic)).toEqual([1]));
    expect(received.of(topic)[0]!.data).toMatchObject({ n: 1 });
  });

  it('lets a client that is ahead of this node (afterSeq beyond the head) continue without repeats', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    await appendMany(worker, topic, 2);
    const socket = await connect(people.viewer.token);
    const received = recordEvents(socket);
    expect(await subscribe(socket, topic, 4)).toEqual({ ok: true, through: 4 });
    await appendMany(worker, topic, 4, { from: 3 });
    await vi.waitFor(() => expect(received.seqs(topic)).toEqual([5, 6]));
  });

  it('refuses another organization\'s topic and an unknown topic as not_found, and a malformed one as invalid_input', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const outsider = await connect(people.outsider.token);
    expect(await subscribe(outsider, topic)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await subscribe(outsider, topicFor('project', randomUUID()))).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await subscribe(outsider, 'job:not-a-uuid')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await subscribe(outsider, topic, -1)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const rest = await app.call('GET', `/topics/${topic}/events`, { token: people.outsider.token });
    expect(rest.status).toBe(404);
  });

  it('stops relaying after unsubscribe and forgets a topic nobody on the node watches', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const [a, b] = [await connect(people.viewer.token), await connect(people.viewer.token)];
    const [fromA, fromB] = [recordEvents(a), recordEvents(b)];
    await Promise.all([subscribe(a, topic), subscribe(b, topic)]);
    const watchedBefore = app.realtime!.relay.watchedTopics();

    expect(await a.emitWithAck('unsubscribe', { topic })).toEqual({ ok: true });
    await appendMany(worker, topic, 1);
    await vi.waitFor(() => expect(fromB.seqs(topic)).toEqual([1]));
    expect(fromA.seqs(topic)).toEqual([]);

    b.disconnect();
    await vi.waitFor(() => expect(app.realtime!.relay.watchedTopics()).toBe(watchedBefore - 1));
  });

  it('rate limits subscriptions per socket and refuses oversized payloads in the ack', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    const noisy = await connect(people.viewer.token);
    const answers = await Promise.all(range(1, 40).map(() => subscribe(noisy, topic)));
    const limited = answers.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(limited.length).toBeGreaterThanOrEqual(9);
    expect(answers.filter((a) => a.ok).length).toBeLessThanOrEqual(31);

    // Another socket of the same user has its own budget.
    const calm = await connect(people.viewer.token);
    expect(await subscribe(calm, topic)).toMatchObject({ ok: true });
    const huge = await calm.emitWithAck('send_message', { sessionId: randomUUID(), content: 'x'.repeat(10_000) });
    expect(huge).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });
});

describe('GET /topics/:topic/events', () => {
  it('pages through a topic for any member, oldest first', async () => {
    const { topic } = await seedJob(app.deps.orm, people.orgId, people.editor.userId);
    await appendMany(worker, topic, 7, { batch: 7 });
    const first = await app.call('GET', `/topics/${topic}/events?afterSeq=0&limit=5`, { token: people.viewer.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body.nextCursor).toBe('5');
    const second = await app.call('GET', `/topics/${topic}/events?afterSeq=${first.body.nextCursor}&limit=5`, { token: people.viewer.token });
    expect(second.body).toEqual({ items: expect.any(Array) });
    expect(second.body.items.map((e: { seq: number }) => e.seq)).toEqual([6, 7]);
  });
});

