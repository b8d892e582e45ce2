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
  /** Coalescing window per topic: a token stream costs one NOTIFY per window, not one per token. */
  intervalMs?: number;
  /** A delta that could not be sent: too large for NOTIFY, or the database refused it. */
  onError?: (err: Error) => void;
}

/**
 * The worker side of live deltas: coalesces them per topic and sends them on NOTIFY channel
 * `forge_deltas`, outside any transaction, so they never wait for (or hold up) a durable append.
 * Deltas are transient by design: a lost one is replaced by the durable event that follows
 * (the finished text), so failures are reported and dropped instead of retried.
 */
export function createDeltaPublisher({ orm }: { orm: MikroORM }, options: DeltaPublisherOptions = {}): DeltaPublisher {
  const intervalMs = options.intervalMs ?? 50;
  const report = options.onError ?? (() => {});
  const queued = new Map<Topic, Delta[]>();
  const timers = new Map<Topic, NodeJS.Timeout>();
  const chains = new Map<Topic, Promise<void>>();

  const send = (topic: Topic) => {
    clearTimeout(timers.get(topic));
    timers.delete(topic);
    const items = queued.get(topic);
    queued.delete(topic);
    if (!items?.length) return;
    const payloads = chunk(topic, items, report);
    if (payloads.length === 0) return;
    // After the topic's previous batch: two pooled connections could otherwise commit them swapped.
    const sending = (chains.get(topic) ?? Promise.resolve())
      .then(() => orm.em.getConnection().execute('select pg_notify(?, notice) from jsonb_array_elements_text(?::jsonb) as notice', [DeltaChannel, JSON.stringify(payloads)]))
      .then(() => undefined, (err: Error) => report(err))
      .finally(() => {
        if (chains.get(topic) === sending) chains.delete(topic);
      });
    chains.set(topic, sending);
  };

  return {
    publish(topic, delta) {
      const items = queued.get(topic);
      if (items) items.push(delta);
      else queued.set(topic, [delta]);
      if (!timers.has(topic)) timers.set(topic, setTimeout(() => send(topic), intervalMs));
    },
    async flush() {
      for (const topic of [...queued.keys()]) send(topic);
      await Promise.all(chains.values());
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
