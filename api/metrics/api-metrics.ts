import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The API node's Prometheus metrics, on a registry of its own (not prom-client's global one), so
 * several apps in one process (tests) never collide. Served at GET /metrics (api/metrics/metrics-route.ts).
 */
/** What the relay reports at scrape time: counted where they live, never drifting from its own books. */
export interface RelayCounts {
  subscriptions(): number;
  watchedTopics(): number;
}

export function createApiMetrics() {
  const registry = new Registry();
  let relay: RelayCounts | undefined;
  collectDefaultMetrics({ register: registry, prefix: 'forge_api_' });
  return {
    registry,
    /** Labelled by the route's pattern (`/api/v1/jobs/:jobId`), never the raw URL: bounded cardinality. */
    httpDuration: new Histogram({
      name: 'forge_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    socketConnections: new Gauge({ name: 'forge_socket_connections', help: 'Open socket.io connections on this node', registers: [registry] }),
    subscriptions: new Gauge({
      name: 'forge_realtime_subscriptions',
      help: 'Topic subscriptions of this node\'s sockets',
      registers: [registry],
      collect() { this.set(relay?.subscriptions() ?? 0); },
    }),
    watchedTopics: new Gauge({
      name: 'forge_realtime_watched_topics',
      help: 'Topics with at least one subscriber on this node',
      registers: [registry],
      collect() { this.set(relay?.watchedTopics() ?? 0); },
    }),
    observeRelay: (counts: RelayCounts) => void (relay = counts),
    /** From the event's commit (`at`) to its live emit on this node: the NOTIFY path plus the feed's read. */
    relayLag: new Histogram({
      name: 'forge_relay_lag_seconds',
      help: 'Durable event commit to live emit on this node',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    /**
     * Messages handed from the outbox to their sessions: `via` admission (at once) or sweep; `outcome`
     * delivered, retry (Temporal unreachable: the next sweep tries again) or cancelled (the session ended).
     */
    messageDeliveries: new Counter({
      name: 'forge_message_deliveries_total',
      help: 'Outbox deliveries of admitted messages to their sessions, by path and outcome',
      labelNames: ['via', 'outcome'] as const,
      registers: [registry],
    }),
    slowConsumerCuts: new Counter({ name: 'forge_slow_consumer_cuts_total', help: 'Sockets closed for falling behind (4008)', registers: [registry] }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
