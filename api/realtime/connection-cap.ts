import type { ExtendedError } from 'socket.io';
import type { RealtimeSocket } from './socket-types';

/**
 * At most `max` sockets per user on this node: a client opening connections in a loop holds
 * memory and LISTEN fan-out on every node it reaches. Counted per node (no shared state), so
 * behind N nodes a user holds at most N x max. Runs after handshakeAuth (it needs the user).
 */
export function connectionCap(max: number) {
  const open = new Map<string, number>();
  return (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    const { userId } = socket.data;
    const count = open.get(userId) ?? 0;
    if (count >= max) {
      const error: ExtendedError = new Error(`Too many connections: at most ${max} per user`);
      error.data = { code: 'rate_limited', reason: 'too_many_connections', max };
      return next(error);
    }
    open.set(userId, count + 1);
    socket.on('disconnect', () => {
      const left = (open.get(userId) ?? 1) - 1;
      if (left > 0) open.set(userId, left);
      else open.delete(userId);
    });
    next();
  };
}
