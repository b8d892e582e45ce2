import type { RelayOptions } from './relay';
import type { OutboundLimits } from './slow-consumer';
import type { InboundLimits } from './socket-guards';

export interface RealtimeOptions {
  inbound: InboundLimits;
  outbound: OutboundLimits;
  relay: RelayOptions;
  /** Transport backstop: a websocket message over this closes the connection (engine.io maxHttpBufferSize). */
  maxMessageBytes: number;
  /** application_name of this node's LISTEN connection in pg_stat_activity. */
  listenerName: string;
}

/**
 * Defaults sized for browsers watching jobs: a message of 20,000 characters fits the payload
 * limit with escaping room; a replay page waits for the socket to drain, so the outbound bound
 * only trips on a client that stopped reading, not on one that is catching up.
 */
export const defaultRealtimeOptions = (): RealtimeOptions => ({
  inbound: {
    commands: { burst: 10, perSecond: 2 },
    subscriptions: { burst: 100, perSecond: 20 },
    maxPayloadChars: 128 * 1024,
  },
  outbound: { maxQueuedPackets: 2_000, maxQueuedBytes: 8 * 1024 * 1024 },
  relay: {
    replayPageSize: 500,
    maxBufferedWhileReplaying: 10_000,
    maxTopicsPerSocket: 1_000,
    deltas: { intervalMs: 50, maxQueued: 1_000 },
  },
  maxMessageBytes: 1024 * 1024,
  listenerName: `forge-api-listen-${process.pid}`,
});
