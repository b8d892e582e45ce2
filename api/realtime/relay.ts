import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { readEvents, topicHighWater } from '../../db/repositories/event-log';
import { AppError, ErrorCode } from '../../domain/errors';
import { DeltaChannel, DeltaNotice, EventChannel, EventNotice } from '../../domain/event-notices';
import type { Topic } from '../../domain/events';
import { ServerCloseCode, ServerCloseReason } from '../../domain/realtime';
import { createDeltaThrottle, type DeltaThrottleOptions } from './delta-throttle';
import type { ApiMetrics } from '../metrics/api-metrics';
import { closeConnection, outboundOf } from './slow-consumer';
import type { RealtimeServer, RealtimeSocket } from './socket-types';
import { TopicFeed, type FeedLimits, type FeedSubscriber } from './topic-feed';

export interface RelayOptions extends FeedLimits {
  deltas: DeltaThrottleOptions;
  /** Topics one socket may watch at once. */
  maxTopicsPerSocket: number;
}

/** Cuts a socket that fell behind; it reconnects and resumes from its last seq. */
export const cutSlowConsumer = (socket: RealtimeSocket) =>
  closeConnection(socket, ServerCloseCode.slowConsumer, ServerCloseReason.slowConsumer);

/** The topic a notice opens with (`{"topic": "job:..."`), when it is a plain string. */
const leadingTopic = /^\{\s*"topic"\s*:\s*"([^"\\]+)"/;

/**
 * This node's relay from Postgres NOTIFY to its own sockets: one TopicFeed per topic that a
 * local socket watches, created on the first subscription and dropped with the last. Notices for
 * topics nobody here watches are ignored after reading their topic, so a node's cost follows
 * its own subscribers, not the whole platform's event rate.
 */
export function createRelay(io: RealtimeServer, orm: MikroORM, logger: Logger, options: RelayOptions, metrics?: ApiMetrics) {
  const feeds = new Map<Topic, { feed: TopicFeed; members: Set<string> }>();
  const topicsBySocket = new Map<string, Set<Topic>>();
  const deltas = createDeltaThrottle((batch) => io.to(batch.topic).emit('delta', batch), options.deltas);

  const newFeed = (topic: Topic) =>
    new TopicFeed(topic, {
      read: (after, limit) => readEvents(orm.em.fork(), topic, after, limit),
      highWater: () => topicHighWater(orm.em.fork(), topic),
      broadcast: (event) => {
        io.to(topic).emit('event', event);
        metrics?.relayLag.observe(Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
      },
    }, options, logger);

  const subscriberFor = (socket: RealtimeSocket, topic: Topic): FeedSubscriber => ({
    id: socket.id,
    send: (event) => socket.emit('event', event),
    join: () => void socket.join(topic),
    backlogged: () => outboundOf(socket).backlogged(),
    drained: () => outboundOf(socket).drained(),
    // Later: the feed calls this from inside its dispatch loop.
    overflow: () => queueMicrotask(() => {
      metrics?.slowConsumerCuts.inc();
      cutSlowConsumer(socket);
    }),
  });

  const unsubscribe = (socket: RealtimeSocket, topic: Topic) => {
    topicsBySocket.get(socket.id)?.delete(topic);
    void socket.leave(topic);
    const entry = feeds.get(topic);
    if (!entry?.members.delete(socket.id)) return;
    entry.feed.remove(socket.id);
    if (entry.members.size > 0) return;
    entry.feed.dispose();
    feeds.delete(topic);
    deltas.forget(topic);
  };

  /**
   * Reads a notice's topic before validating it: most notices are for topics nobody here watches.
   * Every writer puts `topic` first (forge_stored_event_json, the delta publisher), so an unwatched
   * notice is dropped without parsing the rest; one shaped otherwise is parsed whole.
   */
  const watched = (payload: string): { topic: Topic; raw: unknown } | undefined => {
    const leading = leadingTopic.exec(payload)?.[1];
    if (leading !== undefined && !feeds.has(leading as Topic)) return undefined;
    const raw: unknown = JSON.parse(payload);
    const topic = (raw as { topic?: unknown } | null)?.topic;
    return typeof topic === 'string' && feeds.has(topic as Topic) ? { topic: topic as Topic, raw } : undefined;
  };

  return {
    onNotice(channel: string, payload: string): void {
      try {
        const notice = watched(payload);
        if (!notice) return;
        if (channel === EventChannel) {
          // Deltas that arrived before this event (NOTIFY keeps commit order) go out before it.
          deltas.flush(notice.topic);
          feeds.get(notice.topic)!.feed.notice(EventNotice.parse(notice.raw));
        }
        else if (channel === DeltaChannel) deltas.push(notice.topic, DeltaNotice.parse(notice.raw).items);
      } catch (err) {
        logger.warn({ err, channel }, 'ignored a malformed notice');
      }
    },

    /** Replays the topic after `afterSeq` to the socket, then keeps it live. Resolves with `through`. */
    async subscribe(socket: RealtimeSocket, topic: Topic, afterSeq: number): Promise<number> {
      if (socket.disconnected) throw new AppError(ErrorCode.conflict, 'The connection closed');
      const mine = topicsBySocket.get(socket.id) ?? new Set<Topic>();
      // Subscribing again restarts from the new cursor.
      if (mine.has(topic)) unsubscribe(socket, topic);
      if (mine.size >= options.maxTopicsPerSocket) {
        throw new AppError(ErrorCode.rateLimited, `A connection may watch at most ${options.maxTopicsPerSocket} topics`);
      }
      topicsBySocket.set(socket.id, mine.add(topic));
      const entry = feeds.get(topic) ?? { feed: newFeed(topic), members: new Set<string>() };
      feeds.set(topic, entry);
      entry.members.add(socket.id);
      try {
        return await entry.feed.subscribe(subscriberFor(socket, topic), afterSeq);
      } catch (err) {
        unsubscribe(socket, topic);
        throw err;
      }
    },

    unsubscribe,

    dropSocket(socket: RealtimeSocket): void {
      for (const topic of topicsBySocket.get(socket.id) ?? []) unsubscribe(socket, topic);
      topicsBySocket.delete(socket.id);
    },

    /** After the LISTEN connection came back: re-read what every watched topic may have missed. */
    resync(): void {
      for (const { feed } of feeds.values()) feed.resync();
    },

    /** Topics watched on this node (for tests and metrics). */
    watchedTopics: (): number => feeds.size,
    /** Topic subscriptions of this node's sockets (metrics). */
    subscriptions: (): number => [...topicsBySocket.values()].reduce((sum, topics) => sum + topics.size, 0),

    close(): void {
      deltas.close();
      for (const { feed } of feeds.values()) feed.dispose();
      feeds.clear();
      topicsBySocket.clear();
    },
  };
}
export type Relay = ReturnType<typeof createRelay>;
