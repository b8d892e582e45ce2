import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { TopicFeed, type FeedSource, type FeedSubscriber } from '../../api/realtime/topic-feed';
import { topicFor, type StoredEvent } from '../../domain/events';

// The ordering core of the relay with typed fakes: an in-memory log, and subscribers whose
// "room" is the list of joined ones. Reads can be held open to interleave them with notices.
const topic = topicFor('job', randomUUID());
const event = (seq: number): StoredEvent => ({ topic, seq, type: 'message', data: { seq }, at: new Date(seq * 1000).toISOString() });

function fixture(options: { stored?: number; maxBuffered?: number } = {}) {
  const log = Array.from({ length: options.stored ?? 0 }, (_, i) => event(i + 1));
  const joined = new Set<FakeSubscriber>();
  let gate: Promise<void> | null = null;
  const source: FeedSource = {
    read: async (after, limit) => {
      await gate;
      return log.filter((e) => e.seq > after).slice(0, limit);
    },
    highWater: async () => log.length,
    broadcast: (e) => joined.forEach((s) => s.inbox.push(e)),
  };
  const feed = new TopicFeed(topic, source, { replayPageSize: 3, maxBufferedWhileReplaying: options.maxBuffered ?? 1_000 }, pino({ level: 'silent' }));

  interface FakeSubscriber extends FeedSubscriber { inbox: StoredEvent[]; overflowed: boolean }
  const subscriber = (): FakeSubscriber => {
    const s: FakeSubscriber = {
      id: randomUUID(),
      inbox: [],
      overflowed: false,
      send: (e) => s.inbox.push(e),
      join: () => joined.add(s),
      backlogged: () => false,
      drained: async () => {},
      overflow: () => { s.overflowed = true; },
    };
    return s;
  };
  /** Commits an event: it is in the table from now on, whether or not its notice is ever delivered. */
  const commit = () => {
    const e = event(log.length + 1);
    log.push(e);
    return e;
  };
  const holdReads = () => {
    let release!: () => void;
    gate = new Promise((r) => { release = r; });
    return () => { gate = null; release(); };
  };
  return { feed, subscriber, commit, holdReads, joined };
}

const seqs = (list: StoredEvent[]) => list.map((e) => e.seq);
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TopicFeed', () => {
  it('replays the stored events after the cursor, joins the room and relays live notices', async () => {
    const { feed, subscriber, commit } = fixture({ stored: 7 });
    const s = subscriber();
    expect(await feed.subscribe(s, 2)).toBe(7);
    expect(seqs(s.inbox)).toEqual([3, 4, 5, 6, 7]);
    feed.notice(commit());
    feed.notice(commit());
    await flush();
    expect(seqs(s.inbox)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('buffers live events during a replay and sends each exactly once', async () => {
    const { feed, subscriber, commit, holdReads } = fixture({ stored: 5 });
    const early = subscriber();
    await feed.subscribe(early, 5);
    const release = holdReads();
    const late = subscriber();
    const subscribed = feed.subscribe(late, 0);
    await flush();
    // Live events arrive while the replay's first read is held.
    for (const _ of [1, 2, 3]) feed.notice(commit());
    await flush();
    expect(seqs(early.inbox)).toEqual([6, 7, 8]);
    release();
    expect(await subscribed).toBe(5);
    feed.notice(commit());
    await flush();
    expect(seqs(late.inbox)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seqs(early.inbox)).toEqual([6, 7, 8, 9]);
  });

  it('reads an event sent by reference, and fills a gap of missed notices, in order', async () => {
    const { feed, subscriber, commit } = fixture();
    const s = subscriber();
    await feed.subscribe(s, 0);
    const first = commit();
    feed.notice({ topic, seq: first.seq, ref: true });
    commit();
    commit(); // notices of 2 and 3 lost
    feed.notice(commit());
    await vi.waitFor(() => expect(seqs(s.inbox)).toEqual([1, 2, 3, 4]));
  });

  it('resyncs what was committed while notices were lost, with no notice to prompt it', async () => {
    const { feed, subscriber, commit } = fixture({ stored: 1 });
    const s = subscriber();
    await feed.subscribe(s, 0);
    commit();
    commit();
    feed.resync();
    await vi.waitFor(() => expect(seqs(s.inbox)).toEqual([1, 2, 3]));
    feed.notice({ ...event(3) }); // a late duplicate notice is dropped
    await flush();
    expect(seqs(s.inbox)).toEqual([1, 2, 3]);
  });

  it('keeps a client that is ahead of this node out of the room until the node catches up', async () => {
    const { feed, subscriber, commit, joined } = fixture({ stored: 2 });
    const s = subscriber();
    expect(await feed.subscribe(s, 4)).toBe(4);
    expect(joined.has(s)).toBe(false);
    for (const _ of [3, 4, 5, 6]) feed.notice(commit());
    await flush();
    expect(seqs(s.inbox)).toEqual([5, 6]);
    expect(joined.has(s)).toBe(true);
  });

  it('cuts a subscriber whose replay buffer overflows', async () => {
    const { feed, subscriber, commit, holdReads } = fixture({ stored: 3, maxBuffered: 2 });
    const release = holdReads();
    const s = subscriber();
    const subscribed = feed.subscribe(s, 0);
    await flush();
    for (const _ of [1, 2, 3]) feed.notice(commit());
    await flush();
    expect(s.overflowed).toBe(true);
    feed.remove(s.id);
    release();
    await subscribed;
    expect(seqs(s.inbox)).toEqual([]);
  });

  it('goes silent once disposed', async () => {
    const { feed, subscriber, commit } = fixture();
    const s = subscriber();
    await feed.subscribe(s, 0);
    feed.dispose();
    feed.notice(commit());
    await flush();
    expect(s.inbox).toEqual([]);
  });
});
