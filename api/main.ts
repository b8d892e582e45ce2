import { createServer } from 'node:http';
import { Client } from '@temporalio/client';
import pino from 'pino';
import { initOrm } from '../db/orm';
import { sweepExpiredKeys } from '../db/repositories/idempotency-keys';
import { parseConfig } from '../domain/config';
import { createApp } from './app';
import { AccessTokens } from './auth/access-token';
import { createApiMetrics } from './metrics/api-metrics';
import { startTracing } from '../telemetry/tracing';
import { tracedClientInterceptors } from './http/traced-client';
import { temporalConnection } from './dependencies/temporal-connection';
import { attachRealtime } from './realtime/attach-realtime';
import { createMessageDelivery } from './agents/message-delivery';
import { SessionOrganizations } from './agents/session-organizations';

/** In-flight requests get this long to finish on shutdown; then their connections are cut. */
const shutdownGraceMs = 10_000;

// The API process: one ORM, one Temporal connection, one HTTP server (socket.io attaches here too).
const config = parseConfig(process.env);
const logger = pino({ level: config.LOG_LEVEL, name: 'api', redact: ['*.password', '*.refreshToken', '*.accessToken'] });

const orm = await initOrm(config.DATABASE_URL);
// Lazy, with bounded deadlines: the API starts while Temporal is down and answers 503 meanwhile.
const connection = temporalConnection(config);
const tracing = startTracing({ serviceName: 'forge-api', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracedClientInterceptors() });
const tokens = new AccessTokens(config.JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS);

const metrics = createApiMetrics();
const deliveries = createMessageDelivery(temporal, orm, logger, metrics, config.MESSAGE_SWEEP_MS);
const deps = { config, orm, temporal, logger, tokens, metrics, deliveries, sessionOrganizations: new SessionOrganizations() };
const server = createServer(createApp(deps));
const realtime = await attachRealtime(server, deps);

// Expired Idempotency-Keys are already ignored when read; this only keeps the table small.
const sweep = setInterval(() => {
  sweepExpiredKeys(orm.em.fork()).catch((err: unknown) => logger.warn({ err }, 'idempotency key sweep failed'));
}, 3_600_000);
sweep.unref();
deliveries.start();

server.listen(config.PORT, config.HOST, () => {
  logger.info({ url: `http://${config.HOST}:${config.PORT}/api/v1` }, 'api listening');
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api shutting down');
  clearInterval(sweep);
  // Sockets first: their clients reconnect to another node and resume by seq.
  await realtime.close();
  // Stop accepting, let running requests finish (a load balancer has already stopped sending).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
  await closed;
  clearTimeout(grace);
  // Messages admitted by the last requests are handed on before the Temporal connection closes.
  await deliveries.close();
  await Promise.allSettled([connection.close(), orm.close(), tracing.shutdown()]);
  logger.info('api stopped');
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
