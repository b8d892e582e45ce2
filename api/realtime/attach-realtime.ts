import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { DeltaChannel, EventChannel } from '../../domain/event-notices';
import { ServerCloseCode, ServerCloseReason } from '../../domain/realtime';
import { createAgentCommands } from '../agents/commands';
import type { AppDeps } from '../deps';
import { registerCommandHandlers } from './command-handlers';
import { connectionCap } from './connection-cap';
import { handshakeAuth } from './handshake-auth';
import { startNotifyListener } from './notify-listener';
import { defaultRealtimeOptions, type RealtimeOptions } from './realtime-options';
import { createRelay, cutSlowConsumer, type Relay } from './relay';
import { closeConnection, guardOutbound } from './slow-consumer';
import { inboundGuards } from './socket-guards';
import type { RealtimeServer, RealtimeSocket } from './socket-types';
import { registerSubscriptionHandlers } from './subscription-handlers';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

export interface Realtime {
  io: RealtimeServer;
  relay: Relay;
  /** Stops relaying and closes every socket; the HTTP server stays with its owner. */
  close(): Promise<void>;
}

/** A socket lives no longer than its access token: a revoked user is gone within one token lifetime. */
function closeWhenTokenExpires(socket: RealtimeSocket) {
  const timer = setTimeout(
    () => closeConnection(socket, ServerCloseCode.tokenExpired, ServerCloseReason.tokenExpired),
    Math.min(Math.max(0, socket.data.tokenExpiresAt - Date.now()), 2 ** 31 - 1),
  );
  socket.on('disconnect', () => clearTimeout(timer));
}

/**
 * socket.io on the API's HTTP server (namespace `/`). Websocket transport only: long-polling
 * would need sticky sessions, and every node must work behind any balancer. Authentication is
 * by token, never cookies, so cross-origin connections carry no ambient authority.
 */
export async function attachRealtime(server: HttpServer, deps: AppDeps, overrides: Partial<RealtimeOptions> = {}): Promise<Realtime> {
  const options = { ...defaultRealtimeOptions(), ...overrides };
  const { logger, orm } = deps;
  const io: RealtimeServer = new Server(server, { transports: ['websocket'], serveClient: false, maxHttpBufferSize: options.maxMessageBytes });
  const { metrics } = deps;
  const relay = createRelay(io, orm, logger, options.relay, metrics);
  metrics.observeRelay(relay);
  const listener = await startNotifyListener({
    connectionString: deps.config.DATABASE_URL,
    channels: [EventChannel, DeltaChannel],
    applicationName: options.listenerName,
    onNotice: relay.onNotice,
    onReconnect: relay.resync,
    logger,
  });
  const commands = createAgentCommands(deps, createQuotaGuard(quotaPolicyFrom(deps.config)));

  io.use(handshakeAuth(deps.tokens));
  io.use(connectionCap(deps.config.SOCKET_MAX_CONNECTIONS_PER_USER));
  io.on('connection', (socket) => {
    socket.use(inboundGuards(options.inbound));
    metrics.socketConnections.inc();
    guardOutbound(socket, options.outbound, () => {
      metrics.slowConsumerCuts.inc();
      cutSlowConsumer(socket);
    });
    closeWhenTokenExpires(socket);
    registerSubscriptionHandlers(socket, { orm, relay, logger });
    registerCommandHandlers(socket, { orm, commands, logger });
    socket.on('disconnect', () => {
      metrics.socketConnections.dec();
      relay.dropSocket(socket);
    });
  });

  return {
    io,
    relay,
    async close() {
      await listener.close();
      relay.close();
      io.local.disconnectSockets(true);
      io.engine.close();
    },
  };
}
