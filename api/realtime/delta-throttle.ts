import type { Topic } from '../../domain/events';
import type { Delta, DeltaBatch } from '../../domain/realtime';

export interface DeltaThrottleOptions {
  /** Shortest time between two batches of one topic: 50 ms is at most ~20 messages a second. */
  intervalMs: number;
  /** Deltas held per topic between batches; past it the oldest go (they are transient). */
  maxQueued: number;
}

/**
 * Batches a topic's deltas so a token stream costs each client at most ~20 messages a second,
 * however many workers produce them. It has its own timers, apart from durable events, so a
 * flood of deltas never holds an event back. The first delta after a quiet spell goes out at once.
 */
export function createDeltaThrottle(emit: (batch: DeltaBatch) => void, options: DeltaThrottleOptions) {
  const queued = new Map<Topic, Delta[]>();
  const timers = new Map<Topic, NodeJS.Timeout>();
  const lastSent = new Map<Topic, number>();

  const flush = (topic: Topic) => {
    timers.delete(topic);
    const items = queued.get(topic);
    queued.delete(topic);
    if (!items?.length) return;
    lastSent.set(topic, performance.now());
    emit({ topic, items });
  };

  return {
    push(topic: Topic, items: readonly Delta[]): void {
      const list = queued.get(topic) ?? [];
      list.push(...items);
      if (list.length > options.maxQueued) list.splice(0, list.length - options.maxQueued);
      queued.set(topic, list);
      if (timers.has(topic)) return;
      const wait = Math.max(0, (lastSent.get(topic) ?? -Infinity) + options.intervalMs - performance.now());
      timers.set(topic, setTimeout(() => flush(topic), wait));
    },

    /**
     * Sends the topic's held deltas now: called before its next durable event goes out, so a client
     * sees a stream's last tokens before the event that records the finished text.
     */
    flush(topic: Topic): void {
      if (!queued.has(topic)) return;
      clearTimeout(timers.get(topic));
      flush(topic);
    },

    /** A topic nobody on this node watches any more. */
    forget(topic: Topic): void {
      clearTimeout(timers.get(topic));
      timers.delete(topic);
      queued.delete(topic);
      lastSent.delete(topic);
    },

    close(): void {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      queued.clear();
    },
  };
}
export type DeltaThrottle = ReturnType<typeof createDeltaThrottle>;
