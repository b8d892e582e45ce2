import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { SubscribeRequest, UnsubscribeRequest } from '../../domain/realtime';
import { acked } from './acked';
import type { Relay } from './relay';
import type { RealtimeSocket } from './socket-types';
import { authorizeTopic } from './topic-access';

/**
 * `subscribe` answers only after the replay: the events up to `through` reach the client before
 * the ack, and live ones follow. Authorization is checked per subscription, so a membership
 * removed since the handshake stops new subscriptions at once.
 */
export function registerSubscriptionHandlers(socket: RealtimeSocket, deps: { orm: MikroORM; relay: Relay; logger: Logger }) {
  socket.on('subscribe', acked(SubscribeRequest, deps.logger, async ({ topic, afterSeq }) => {
    await authorizeTopic(deps.orm.em.fork(), socket.data.userId, topic);
    return { through: await deps.relay.subscribe(socket, topic, afterSeq) };
  }));
  socket.on('unsubscribe', acked(UnsubscribeRequest, deps.logger, async ({ topic }) => {
    deps.relay.unsubscribe(socket, topic);
    return {};
  }));
}
