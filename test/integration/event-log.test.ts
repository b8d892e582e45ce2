import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEventActivities } from '../../activities/events/index';
import { initOrm, type MikroORM } from '../../db/orm';
import { appendEvents, readEvents, topicHighWater } from '../../db/repositories/event-log';
import { StoredEvent, topicFor, type Topic } from '../../domain/events';

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
