import type { MikroORM } from '@mikro-orm/postgresql';
import { DeltaChannel, NOTIFY_PAYLOAD_LIMIT, payloadBytes, type DeltaNotice } from '../../domain/event-notices';
import type { Delta } from '../../domain/realtime';
import type { Topic } from '../../domain/events';

export interface DeltaPublisher {
  /** Queues a live-only delta (an LLM token, a log line); never waits and never throws. */
  publish(topic: Topic, delta: Delta): void;
  /** Sends what is queued now, e.g. when a stream ends just before its durable event is appended. */
  flush(): Promise<void>;
}

export interface DeltaPublisherOptions {
  /** Coalescing window: a token stream costs one NOTIFY per window, not one per token. */
  intervalMs?: number;
  /** A delta that could not be sent: too large for NOTIFY, or the database refused it. */
  onError?: (err: Error) => void;
}

/**
 * One statement per window for every topic: each NOTIFY transaction commits under Postgres's
 * cluster-wide notify lock, so their number, not their size, is what costs. Without the WAL flush
 * (synchronous_commit off for this statement only): a delta lost in a crash is no loss.
 */
const notifyBatch = `select set_config('synchronous_commit', 'off', true), pg_notify(?, notice)
  from jsonb_array_elements_text(?::jsonb) as notice`;

/**
 * The worker side of live deltas: coalesces them and sends them on NOTIFY channel
 * `forge_deltas`, outside any transaction, so they never wait for (or hold up) a durable append.
 * Deltas are transient by design: a lost one is replaced by the durable event that follows
 * (the finished text), so failures are reported and dropped instead of retried.
 */
export function createDeltaPublisher({ orm }: { orm: MikroORM }, options: DeltaPublisherOptions = {}): DeltaPublisher {
  const intervalMs = options.intervalMs ?? 50;
  const report = options.onError ?? (() => {});
  let queued = new Map<Topic, Delta[]>();
  let timer: NodeJS.Timeout | undefined;
  let lastSentAt = 0;
  /** When each topic last went out: a topic quiet for a window is a stream starting. */
  let topicSentAt = new Map<Topic, number>();
  // Batches go one after another: two pooled connections could otherwise commit them swapped.
  let sending: Promise<void> = Promise.resolve();

  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    lastSentAt = performance.now();
    const batch = queued;
    queued = new Map();
    // Only topics heard from within the window are worth remembering.
    topicSentAt = new Map([...topicSentAt].filter(([, at]) => lastSentAt - at < intervalMs));
    for (const topic of batch.keys()) topicSentAt.set(topic, lastSentAt);
    const payloads = [...batch].flatMap(([topic, items]) => chunk(topic, items, report));
    if (payloads.length === 0) return;
    sending = sending
      .then(() => orm.em.getConnection().execute(notifyBatch, [DeltaChannel, JSON.stringify(payloads)]))
      .then(() => undefined, (err: Error) => report(err));
  };

  return {
    publish(topic, delta) {
      const items = queued.get(topic);
      if (items) items.push(delta);
      else queued.set(topic, [delta]);
      // Leading edge per topic: a stream's first token goes out at once (what a user waits for),
      // even while other jobs' streams fill the window; later ones wait for the rest of the window,
      // so a busy worker still costs about one NOTIFY per window plus one per stream that starts.
      const now = performance.now();
      if (now - (topicSentAt.get(topic) ?? -Infinity) >= intervalMs) send();
      else timer ??= setTimeout(send, Math.max(0, intervalMs - (now - lastSentAt)));
    },
    async flush() {
      send();
      await sending;
    },
  };
}

/** Splits a topic's deltas into NOTIFY payloads under the size limit; a single oversized delta is dropped. */
function chunk(topic: Topic, items: Delta[], report: (err: Error) => void): string[] {
  const envelope = payloadBytes(JSON.stringify({ topic, items: [] } satisfies DeltaNotice));
  const payloads: string[] = [];
  let batch: string[] = [];
  let bytes = envelope;
  const close = () => payloads.push(`{"topic":${JSON.stringify(topic)},"items":[${batch.join(',')}]}`);
  for (const item of items) {
    const json = JSON.stringify(item);
    const size = payloadBytes(json) + 1; // and its comma
    if (envelope + size >= NOTIFY_PAYLOAD_LIMIT) {
      report(new RangeError(`A ${item.type} delta on ${topic} is over ${NOTIFY_PAYLOAD_LIMIT} bytes; deltas are small, live-only updates`));
      continue;
    }
    if (bytes + size >= NOTIFY_PAYLOAD_LIMIT) {
      close();
      batch = [];
      bytes = envelope;
    }
    batch.push(json);
    bytes += size;
  }
  if (batch.length > 0) close();
  return payloads;
}
