import type { Logger } from 'pino';
import type { StoredEvent, Topic } from '../../domain/events';
import type { EventNotice } from '../../domain/event-notices';

/** One socket's end of a subscription, as the feed needs it. */
export interface FeedSubscriber {
  readonly id: string;
  /** Emits one event to this socket only. */
  send(event: StoredEvent): void;
  /** Joins the topic's room: from now on the feed's broadcasts reach this socket. */
  join(): void;
  /** True when the socket's queue is filling: the replay waits for `drained` before sending more. */
  backlogged(): boolean;
  /** Resolves when the socket has handed its queued packets to the network (or closed). */
  drained(): Promise<void>;
  /** Disconnects a socket that fell too far behind; it resumes by cursor. */
  overflow(): void;
}

export interface FeedSource {
  /** The topic's committed events with seq > after, oldest first, at most `limit`. */
  read(after: number, limit: number): Promise<StoredEvent[]>;
  highWater(): Promise<number>;
  /** Emits to every socket in the topic's room. */
  broadcast(event: StoredEvent): void;
}

export interface FeedLimits {
  replayPageSize: number;
  /** Live events held for one socket while its replay runs; past this, the socket is cut. */
  maxBufferedWhileReplaying: number;
}

interface Pending {
  sub: FeedSubscriber;
  /** Highest seq this socket has been sent (or said it has). */
  sent: number;
  /** Live events that arrived during the replay; null once the replay is done. */
  buffer: StoredEvent[] | null;
  closed: boolean;
}

/**
 * One topic on one API node: turns NOTIFY notices into a gapless, ordered stream and hands
 * each subscriber exactly the events after its cursor.
 *
 * `cursor` is the last seq this node has broadcast. Notices are handled one at a time, in order;
 * one that skips ahead (a reference to a large event, or a gap after a lost LISTEN connection) is
 * filled from the table first. A new subscriber is registered at `through = cursor`, replays
 * `(afterSeq, through]` from the table while live events are buffered for it, sends the buffered
 * ones it has not seen, and joins the room, all without yielding between the last two steps,
 * so no event is sent twice or skipped. Live events go out as one room broadcast, encoded once.
 */
export class TopicFeed {
  private cursor = 0;
  private tail: Promise<void>;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<string, Pending>();
  private disposed = false;

  constructor(
    readonly topic: Topic,
    private readonly source: FeedSource,
    private readonly limits: FeedLimits,
    private readonly logger: Logger,
  ) {
    // Registered before the high-water read: a notice committed after that read is queued behind it.
    this.ready = source.highWater().then((seq) => { this.cursor = seq; });
    this.tail = this.ready.catch((err) => logger.error({ err, topic }, 'could not read the topic head'));
  }

  /** Replays `(afterSeq, through]` to the subscriber, then makes it live. Resolves with `through`. */
  async subscribe(sub: FeedSubscriber, afterSeq: number): Promise<number> {
    await this.ready;
    const entry: Pending = { sub, sent: afterSeq, buffer: [], closed: false };
    this.pending.set(sub.id, entry);
    const through = this.cursor;
    try {
      while (entry.sent < through) {
        const page = await this.source.read(entry.sent, Math.min(this.limits.replayPageSize, through - entry.sent));
        if (entry.closed) return through;
        if (page.length === 0) break;
        for (const event of page) {
          sub.send(event);
          entry.sent = event.seq;
          // Paced by the client: a replay never trips the slow-consumer cut on its own.
          if (sub.backlogged()) await sub.drained();
          if (entry.closed) return through;
        }
      }
    } catch (err) {
      this.remove(sub.id);
      throw err;
    }
    for (const event of entry.buffer!) {
      if (event.seq <= entry.sent) continue;
      sub.send(event);
      entry.sent = event.seq;
    }
    entry.buffer = null;
    this.promoteIfCurrent(entry);
    return Math.max(afterSeq, through);
  }

  /** Forgets a subscriber that has not joined the room yet (the caller leaves the room itself). */
  remove(id: string): void {
    const entry = this.pending.get(id);
    if (entry) entry.closed = true;
    this.pending.delete(id);
  }

  notice(notice: EventNotice): void {
    this.enqueue(async () => {
      if (notice.seq <= this.cursor) return;
      if (!('ref' in notice) && notice.seq === this.cursor + 1) this.dispatch(notice);
      else await this.catchUp(notice.seq);
    });
  }

  /** Reads whatever was committed after the cursor: after a lost LISTEN connection, notices may be missing. */
  resync(): void {
    this.enqueue(() => this.catchUp(Number.POSITIVE_INFINITY));
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.remove(id);
  }

  private enqueue(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch((err) => {
      // The cursor did not move: the next notice for this topic retries the read.
      this.logger.error({ err, topic: this.topic }, 'could not read events to relay');
    });
  }

  private async catchUp(upTo: number): Promise<void> {
    while (this.cursor < upTo && !this.disposed) {
      const page = await this.source.read(this.cursor, Math.min(this.limits.replayPageSize, upTo - this.cursor));
      if (page.length === 0) return;
      for (const event of page) if (event.seq === this.cursor + 1) this.dispatch(event);
    }
  }

  private dispatch(event: StoredEvent): void {
    // A disposed feed's room may already belong to a newer feed of the same topic: stay silent.
    if (this.disposed) return;
    this.cursor = event.seq;
    this.source.broadcast(event);
    for (const entry of this.pending.values()) {
      if (entry.buffer) {
        entry.buffer.push(event);
        if (entry.buffer.length > this.limits.maxBufferedWhileReplaying) entry.sub.overflow();
        continue;
      }
      // Replay done but the client was ahead of this node (it had seen later events elsewhere).
      if (event.seq > entry.sent) {
        entry.sub.send(event);
        entry.sent = event.seq;
      }
      this.promoteIfCurrent(entry);
    }
  }

  /** Joins the room once the subscriber has everything up to the cursor and nothing beyond it. */
  private promoteIfCurrent(entry: Pending): void {
    if (entry.closed || entry.sent !== this.cursor) return;
    this.pending.delete(entry.sub.id);
    entry.sub.join();
  }
}
