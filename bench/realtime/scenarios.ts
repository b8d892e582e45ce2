import { setTimeout as sleep } from 'node:timers/promises';
import { createDeltaPublisher } from '../../activities/events/index';
import { createForgeClient, type ForgeClient } from '../../client/index';
import { appendEvents } from '../../db/repositories/event-log';
import type { Topic } from '../../domain/events';
import type { RealtimeBenchStack } from './bench-api';
import { median, percentile } from './latency-stats';

/** Wall clock with sub-millisecond resolution, shared by the appender and the clients (one process). */
const now = () => performance.timeOrigin + performance.now();

export interface LatencyResult {
  scenario: string;
  topics: number;
  subscribers: number;
  events: number;
  /** Append committed (appendEvents returned: the event exists) to client receive, over every (client, event) pair. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Append called (before the transaction and its fsync) to client receive. */
  fromCallP50Ms: number;
  fromCallP99Ms: number;
  lost: number;
  duplicated: number;
}

interface Watcher {
  client: ForgeClient;
  seqs: number[];
  received: Array<{ seq: number; topic: Topic; at: number; sentAt: number }>;
}

/** `count` SDK clients watching `topicOf(i)`, connected in waves so the handshakes do not all land at once. */
async function openWatchers(stack: RealtimeBenchStack, count: number, topicOf: (i: number) => Topic): Promise<Watcher[]> {
  const watchers: Watcher[] = [];
  for (let start = 0; start < count; start += 50) {
    const wave = Array.from({ length: Math.min(50, count - start) }, (_, j) => {
      const watcher: Watcher = { client: createForgeClient({ baseUrl: stack.origin, accessToken: stack.token }), seqs: [], received: [] };
      watchers.push(watcher);
      return watcher.client.watch(topicOf(start + j), {
        onEvent: (e) => {
          watcher.seqs.push(e.seq);
          watcher.received.push({ seq: e.seq, topic: e.topic, at: now(), sentAt: e.data.sentAt as number });
        },
      }).ready;
    });
    await Promise.all(wave);
  }
  return watchers;
}

async function waitForAll(watchers: Watcher[], expected: (w: Watcher) => number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (watchers.some((w) => w.seqs.length < expected(w)) && Date.now() < deadline) await sleep(20);
  await sleep(200); // anything arriving late would be a duplicate: give it the chance to show
}

function summarize(scenario: string, watchers: Watcher[], topics: number, eventsPerTopic: number, warmup: number, committedAt: Map<string, number>): LatencyResult {
  const fromCall: number[] = [];
  const afterCommit: number[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const w of watchers) {
    const distinct = new Set(w.seqs);
    duplicated += w.seqs.length - distinct.size;
    lost += eventsPerTopic - distinct.size;
    for (const r of w.received) {
      if (r.seq <= warmup) continue;
      fromCall.push(r.at - r.sentAt);
      afterCommit.push(r.at - committedAt.get(`${r.topic}:${r.seq}`)!);
    }
  }
  fromCall.sort((a, b) => a - b);
  afterCommit.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    scenario,
    topics,
    subscribers: watchers.length,
    events: topics * (eventsPerTopic - warmup),
    p50Ms: round(percentile(afterCommit, 50)),
    p99Ms: round(percentile(afterCommit, 99)),
    maxMs: round(afterCommit.at(-1) ?? 0),
    fromCallP50Ms: round(percentile(fromCall, 50)),
    fromCallP99Ms: round(percentile(fromCall, 99)),
    lost,
    duplicated,
  };
}

async function appendStamped(stack: RealtimeBenchStack, topic: Topic, seq: number, committedAt: Map<string, number>) {
  await appendEvents(stack.orm.em.fork(), topic, [{ type: 'bench', data: { sentAt: now() }, key: `bench:${seq}` }]);
  committedAt.set(`${topic}:${seq}`, now());
}

/**
 * One topic, `subscribers` clients, events one at a time every `intervalMs`: a busy job's pace
 * (stages, plan, a file.written per file). Latency, not throughput: at 1,000 subscribers every
 * event is 1,000 messages for this one process to decode.
 */
export async function fanoutLatency(stack: RealtimeBenchStack, subscribers: number, events = 170, intervalMs = 100, warmup = 20): Promise<LatencyResult> {
  const topic = await stack.newTopic();
  const watchers = await openWatchers(stack, subscribers, () => topic);
  const committedAt = new Map<string, number>();
  for (let seq = 1; seq <= events; seq++) {
    await appendStamped(stack, topic, seq, committedAt);
    await sleep(intervalMs);
  }
  await waitForAll(watchers, () => events);
  for (const w of watchers) w.client.close();
  return summarize(`1 topic, ${subscribers} subscriber(s)`, watchers, 1, events, warmup, committedAt);
}

/**
 * `topics` topics with `perTopic` clients each, all busy at once: an append every `spacingMs`,
 * round-robin over the topics (100 jobs at 2 events a second each is 200 appends a second).
 */
export async function manyTopicsLatency(stack: RealtimeBenchStack, topics: number, perTopic: number, rounds = 22, spacingMs = 5, warmup = 2): Promise<LatencyResult> {
  const names = await Promise.all(Array.from({ length: topics }, () => stack.newTopic()));
  const watchers = await openWatchers(stack, topics * perTopic, (i) => names[i % topics]!);
  const committedAt = new Map<string, number>();
  const appends: Array<Promise<void>> = [];
  for (let seq = 1; seq <= rounds; seq++) {
    for (const topic of names) {
      // Each topic's appends stay in order (a job appends one after another); topics overlap.
      const previous = appends[names.indexOf(topic)] ?? Promise.resolve();
      appends[names.indexOf(topic)] = previous.then(() => appendStamped(stack, topic, seq, committedAt));
      await sleep(spacingMs);
    }
  }
  await Promise.all(appends);
  await waitForAll(watchers, () => rounds);
  for (const w of watchers) w.client.close();
  return summarize(`${topics} topics, ${perTopic} subscriber(s) each`, watchers, topics, rounds, warmup, committedAt);
}

export interface DeltaResult {
  topics: number;
  subscribersPerTopic: number;
  publishedPerSecond: number;
  deliveredPerSecondPerClient: number;
  /** Socket messages a client got per topic per second: the throttle's ~20 ceiling. */
  messagesPerTopicPerSecond: number;
  deliveredRatio: number;
  p50Ms: number;
  p99Ms: number;
}

/** Deltas published at `perTopicPerSecond` on each topic for `seconds`, through the worker-side publisher. */
export async function deltaThroughput(stack: RealtimeBenchStack, topics: number, perTopicPerSecond: number, seconds = 3): Promise<DeltaResult> {
  const names = await Promise.all(Array.from({ length: topics }, () => stack.newTopic()));
  const clients = names.map(() => createForgeClient({ baseUrl: stack.origin, accessToken: stack.token }));
  const latencies: number[] = [];
  let delivered = 0;
  let messages = 0;
  // One client per topic, counting batches through the order in which onDelta sees them.
  await Promise.all(clients.map((client, i) => {
    let lastBatchAt = -1;
    return client.watch(names[i]!, {
      onEvent: () => {},
      onDelta: (d) => {
        const at = now();
        delivered += 1;
        latencies.push(at - (d.data.sentAt as number));
        if (at - lastBatchAt > 1) messages += 1; // items of one batch arrive in the same tick
        lastBatchAt = at;
      },
    }).ready;
  }));
  const publisher = createDeltaPublisher({ orm: stack.orm });
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((perTopicPerSecond * tickMs) / 1000));
  let published = 0;
  const started = now();
  while (now() - started < seconds * 1000) {
    for (const topic of names) for (let k = 0; k < perTick; k++) publisher.publish(topic, { type: 'token', data: { sentAt: now(), text: 'tok' } });
    published += names.length * perTick;
    await sleep(tickMs);
  }
  await publisher.flush();
  const elapsed = (now() - started) / 1000;
  await sleep(500);
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  return {
    topics,
    subscribersPerTopic: 1,
    publishedPerSecond: Math.round(published / elapsed),
    deliveredPerSecondPerClient: Math.round(delivered / topics / elapsed),
    messagesPerTopicPerSecond: Math.round((messages / topics / elapsed) * 10) / 10,
    deliveredRatio: Math.round((delivered / published) * 1000) / 1000,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
  };
}

export interface ReplayResult {
  storedEvents: number;
  runsMs: number[];
  medianMs: number;
  eventsPerSecond: number;
  lost: number;
  duplicated: number;
}

/** A fresh client replaying `stored` events from seq 0: time from watch() to the subscribe ack. */
export async function replayTime(stack: RealtimeBenchStack, stored = 10_000, runs = 3): Promise<ReplayResult> {
  const topic = await stack.newTopic();
  for (let seq = 1; seq <= stored; seq += 500) {
    const batch = Array.from({ length: Math.min(500, stored - seq + 1) }, (_, j) => ({ type: 'file.written', data: { n: seq + j, path: `src/file-${seq + j}.ts` }, key: `r:${seq + j}` }));
    await appendEvents(stack.orm.em.fork(), topic, batch);
  }
  const runsMs: number[] = [];
  let lost = 0;
  let duplicated = 0;
  for (let run = 0; run < runs; run++) {
    const client = createForgeClient({ baseUrl: stack.origin, accessToken: stack.token });
    const seqs: number[] = [];
    const started = now();
    await client.watch(topic, { onEvent: (e) => seqs.push(e.seq) }).ready;
    runsMs.push(Math.round(now() - started));
    client.close();
    lost += stored - new Set(seqs).size;
    duplicated += seqs.length - new Set(seqs).size;
    if (seqs.some((seq, i) => seq !== i + 1)) throw new Error('replay out of order');
  }
  const medianMs = median(runsMs);
  return { storedEvents: stored, runsMs, medianMs, eventsPerSecond: Math.round(stored / (medianMs / 1000)), lost, duplicated };
}
