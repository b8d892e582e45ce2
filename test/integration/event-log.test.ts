import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEventActivities } from '../../activities/events/index';
import { initOrm, type MikroORM } from '../../db/orm';
import { appendEvents, readEvents, topicHighWater } from '../../db/repositories/event-log';
import { EventChannel, EventNotice, NOTIFY_PAYLOAD_LIMIT, payloadBytes } from '../../domain/event-notices';
import { StoredEvent, topicFor, type Topic } from '../../domain/events';
import { waitUntil } from '../../scripts/stack/wait-until';
import { countingClient } from '../support/counting-pg-client';

let orm: MikroORM;
// Enough connections that concurrent appends really overlap in Postgres.
beforeAll(async () => { orm = await initOrm(inject('databaseUrl'), { pool: { min: 0, max: 12 } }); });
afterAll(async () => orm?.close());

const newTopic = (): Topic => topicFor('job', randomUUID());
const event = (n: number, key: string | null = null) => ({ type: 'plan.approved', data: { n }, key });

describe('appendEvents', () => {
  it('numbers a new topic from 1 and returns what it stored, in input order', async () => {
    const topic = newTopic();
    const stored = await appendEvents(orm.em.fork(), topic, [event(1), event(2), event(3)]);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(stored.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    for (const e of stored) expect(StoredEvent.parse(e)).toEqual(e);
    expect(Date.parse(stored[0]!.at)).toBeLessThanOrEqual(Date.parse(stored[2]!.at));
    expect(await topicHighWater(orm.em.fork(), topic)).toBe(3);
  });

  it('keeps seq gapless and unique when many connections append to one topic at once', async () => {
    const topic = newTopic();
    const batches = Array.from({ length: 30 }, (_, i) => Array.from({ length: 1 + (i % 3) }, (_, j) => event(i * 10 + j)));
    const results = await Promise.all(batches.map((batch) => appendEvents(orm.em.fork(), topic, batch)));
    const total = batches.reduce((sum, b) => sum + b.length, 0);

    const all = await readEvents(orm.em.fork(), topic, 0, 1000);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // A batch holds the topic lock for its whole transaction, so its events are consecutive.
    for (const batch of results) {
      expect(batch.map((e) => e.seq)).toEqual(batch.map((_, i) => batch[0]!.seq + i));
    }
    expect(await topicHighWater(orm.em.fork(), topic)).toBe(total);
  });

  it('does not write an event twice when a retry repeats its key', async () => {
    const topic = newTopic();
    const first = await appendEvents(orm.em.fork(), topic, [event(1, 'wf:plan:plan'), event(2, 'wf:plan:status')]);
    // The retried attempt repeats both events and adds one it had not reached before.
    const retry = await appendEvents(orm.em.fork(), topic, [event(1, 'wf:plan:plan'), event(2, 'wf:plan:status'), event(3, 'wf:plan:done')]);

    expect(retry.slice(0, 2)).toEqual(first);
    expect(retry[2]!.seq).toBe(3);
    expect((await readEvents(orm.em.fork(), topic, 0, 100)).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('stores a key once even when the retry races the first attempt', async () => {
    const topic = newTopic();
    const attempts = await Promise.all(Array.from({ length: 6 }, () => appendEvents(orm.em.fork(), topic, [event(1, 'wf:generate:file:src/App.tsx')])));
    expect(new Set(attempts.map(([e]) => e!.seq))).toEqual(new Set([1]));
    expect(await readEvents(orm.em.fork(), topic, 0, 100)).toHaveLength(1);
  });

  it('stores the first of two events that share a key within one batch', async () => {
    const topic = newTopic();
    const stored = await appendEvents(orm.em.fork(), topic, [event(1, 'k'), event(2, 'k'), event(3)]);
    expect(stored.map((e) => e.seq)).toEqual([1, 1, 2]);
    expect(stored[1]!.data).toEqual({ n: 1 });
  });

  it('returns known and new events of one batch in input order, writing only the new ones', async () => {
    const topic = newTopic();
    await appendEvents(orm.em.fork(), topic, [event(1, 'a'), event(2, 'b')]);
    const mixed = await appendEvents(orm.em.fork(), topic, [event(3, 'c'), event(20, 'b'), event(4), event(10, 'a'), event(5, 'c')]);
    expect(mixed.map((e) => [e.seq, e.data.n])).toEqual([[3, 3], [2, 2], [4, 4], [1, 1], [3, 3]]);
    // What an append returns is what a replay reads, `at` format included.
    const read = await readEvents(orm.em.fork(), topic, 0, 100);
    expect(read.map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    expect([mixed[3], mixed[1], mixed[0], mixed[2]]).toEqual(read);
    expect(Object.keys(read[0]!)).toEqual(['topic', 'seq', 'type', 'data', 'at']);
    for (const e of read) expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('scopes keys to their topic, so one event can be mirrored to a second topic', async () => {
    const [job, session] = [newTopic(), topicFor('session', randomUUID())];
    const [inJob] = await appendEvents(orm.em.fork(), job, [event(1, 'wf:status:completed')]);
    const [inSession] = await appendEvents(orm.em.fork(), session, [event(1, 'wf:status:completed')]);
    expect([inJob!.topic, inSession!.topic]).toEqual([job, session]);
  });

  it('leaves no gap after an append whose transaction rolled back', async () => {
    const topic = newTopic();
    await appendEvents(orm.em.fork(), topic, [event(1)]);
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await appendEvents(tx, topic, [event(2), event(3)]);
        throw new Error('the caller failed after appending');
      }),
    ).rejects.toThrow('the caller failed');
    const [next] = await appendEvents(orm.em.fork(), topic, [event(4)]);
    expect(next!.seq).toBe(2);
    expect(await topicHighWater(orm.em.fork(), topic)).toBe(2);
  });

  it('refuses a type clients were never told about, or data that does not match its type, writing nothing', async () => {
    const topic = newTopic();
    await expect(appendEvents(orm.em.fork(), topic, [event(1), { type: 'job.status', data: { status: 'running' }, key: null }]))
      .rejects.toMatchObject({ code: 'invalid_input' });
    await expect(appendEvents(orm.em.fork(), topic, [{ type: 'version.saved', data: { version: 'one' }, key: null }]))
      .rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('version.saved') });
    expect(await topicHighWater(orm.em.fork(), topic)).toBe(0);
    const [saved] = await appendEvents(orm.em.fork(), topic, [{ type: 'version.saved', data: { version: 1 }, key: null }]);
    expect(saved).toMatchObject({ seq: 1, type: 'version.saved', data: { version: 1 } });
  });
});

describe('appendEvents notices', () => {
  let listener: pg.Client;
  const heard: Array<{ channel: string; payload: string }> = [];
  beforeAll(async () => {
    listener = new pg.Client({ connectionString: inject('databaseUrl') });
    listener.on('notification', (m) => heard.push({ channel: m.channel, payload: m.payload ?? '' }));
    await listener.connect();
    await listener.query(`listen ${EventChannel}`);
  });
  afterAll(async () => listener?.end());

  const noticesOf = (topic: Topic) =>
    heard.filter((n) => n.channel === EventChannel && n.payload.includes(topic)).map((n) => ({ payload: n.payload, notice: EventNotice.parse(JSON.parse(n.payload)) }));

  it('announces each newly written event once, on commit, as the relay parses it; a large one by reference', async () => {
    const topic = newTopic();
    await appendEvents(orm.em.fork(), topic, [event(1, 'known')]);
    const big = { type: 'plan.approved', data: { text: 'é'.repeat(NOTIFY_PAYLOAD_LIMIT / 2) }, key: null };
    await expect(orm.em.fork().transactional(async (tx) => {
      await appendEvents(tx, topic, [event(99)]);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    const stored = await appendEvents(orm.em.fork(), topic, [event(1, 'known'), event(2), big]);

    await waitUntil('three notices', async () => noticesOf(topic).length >= 3, { timeoutMs: 5_000, intervalMs: 20 });
    const notices = noticesOf(topic);
    expect(notices.map((n) => n.notice)).toEqual([stored[0], stored[1], { topic, seq: 3, ref: true }]);
    for (const { payload } of notices) expect(payloadBytes(payload)).toBeLessThan(NOTIFY_PAYLOAD_LIMIT);
    // The big event is stored whole even though its notice is a reference.
    expect(stored[2]!.data).toEqual(big.data);
  });
});

describe('appendEvents round trips', () => {
  it('costs one query to Postgres, alone or inside a caller\'s transaction', async () => {
    const { Client, counter } = countingClient();
    const counted = await initOrm(inject('databaseUrl'), { pool: { min: 0, max: 2 }, driverOptions: { Client } });
    try {
      const topic = newTopic();
      await topicHighWater(counted.em.fork(), topic); // opens the connection outside the count
      counter.queries = 0;
      await appendEvents(counted.em.fork(), topic, [event(1, 'k1'), event(2, 'k2'), event(3)]);
      expect(counter.queries).toBe(1);

      counter.queries = 0;
      await counted.em.fork().transactional(async (tx) => {
        await appendEvents(tx, topic, [event(4, 'k1'), event(5, 'k4')]);
      });
      // BEGIN, the append, COMMIT: no savepoint of its own.
      expect(counter.queries).toBe(3);
      expect(await topicHighWater(counted.em.fork(), topic)).toBe(4);
    } finally {
      await counted.close();
    }
  });
});

describe('readEvents', () => {
  it('pages through a topic after a given seq', async () => {
    const topic = newTopic();
    await appendEvents(orm.em.fork(), topic, Array.from({ length: 7 }, (_, i) => event(i + 1)));
    const pages: number[][] = [];
    for (let after = 0; ; ) {
      const page = await readEvents(orm.em.fork(), topic, after, 3);
      if (page.length === 0) break;
      pages.push(page.map((e) => e.seq));
      after = page.at(-1)!.seq;
    }
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('answers an empty page and high water 0 for an unknown topic', async () => {
    const topic = newTopic();
    expect(await readEvents(orm.em.fork(), topic, 0, 10)).toEqual([]);
    expect(await topicHighWater(orm.em.fork(), topic)).toBe(0);
  });
});

describe('appendEvents activity', () => {
  it('validates its input and refuses it without retry', async () => {
    const { appendEvents: activity } = createEventActivities({ orm });
    await expect(activity({ topic: 'job:not-a-uuid' as Topic, events: [event(1)] })).rejects.toMatchObject({
      type: 'invalid_input',
      nonRetryable: true,
    });
    const topic = newTopic();
    const [stored] = await activity({ topic, events: [event(1, 'k')] });
    expect(stored).toMatchObject({ topic, seq: 1, type: 'plan.approved' });
  });
});
