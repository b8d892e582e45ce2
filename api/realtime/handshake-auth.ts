import { decodeJwt, errors } from 'jose';
import type { ExtendedError } from 'socket.io';
import type { HandshakeRefusal, HandshakeRefusalReason } from '../../domain/realtime';
import type { AccessTokens } from '../auth/access-token';
import type { RealtimeSocket } from './socket-types';

const messages: Record<HandshakeRefusalReason, string> = {
  token_missing: 'An access token is required: connect with auth: { token }',
  token_invalid: 'The access token is invalid',
  token_expired: 'The access token has expired: refresh it and reconnect',
};

function refuse(reason: HandshakeRefusalReason): ExtendedError {
  const error: ExtendedError = new Error(messages[reason]);
  error.data = { code: 'unauthorized', reason } satisfies HandshakeRefusal;
  return error;
}

/**
 * Checks the access token of the handshake (`auth: { token }`), so a socket never exists without
 * a user. The refusal reaches the client as `connect_error` with `data.reason`; an expired token is
 * told apart so the client knows that refreshing it will help.
 */
export function handshakeAuth(tokens: AccessTokens) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token.length === 0) return next(refuse('token_missing'));
    try {
      const { userId } = await tokens.verify(token);
      socket.data.userId = userId;
      socket.data.tokenExpiresAt = (decodeJwt(token).exp ?? 0) * 1000;
      next();
    } catch (err) {
      next(refuse(err instanceof errors.JWTExpired ? 'token_expired' : 'token_invalid'));
    }
  };
}
