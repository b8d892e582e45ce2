import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../../db/repositories/audit';
import { addRefreshToken, findRefreshToken, revokeRefreshFamily, spendRefreshToken } from '../../db/repositories/refresh-tokens';
import type { TokenPair } from '../../domain/accounts';
import { unauthorized } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token';

type SessionDeps = Pick<AppDeps, 'tokens' | 'config'>;

/**
 * Starts a session (a new token family) or continues `familyId`: queues the refresh token on `em`
 * (the caller's flush writes it) and signs a short-lived access token.
 */
export async function issueSession(em: EntityManager, deps: SessionDeps, userId: string, familyId: string = randomUUID()): Promise<TokenPair & { familyId: string }> {
  const { token, hash } = newOpaqueToken();
  addRefreshToken(em, { userId, familyId, tokenHash: hash, expiresAt: new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000) });
  return { accessToken: await deps.tokens.sign({ userId }), refreshToken: token, familyId };
}

/**
 * Rotates a refresh token. A replayed (already spent) token revokes its whole family; that
 * revocation is committed before the 401 is thrown, so the thief's fresh token dies with it.
 */
export async function rotateSession(em: EntityManager, deps: SessionDeps, presented: string, ip: string | undefined): Promise<TokenPair> {
  const pair = await em.transactional(async (tx) => {
    const now = new Date();
    const spent = await spendRefreshToken(tx, hashOpaqueToken(presented), now);
    if (spent.outcome === 'invalid') return undefined;
    const { familyId } = spent.token;
    const actorId = spent.token.user.id;
    if (spent.outcome === 'replayed') {
      const revoked = await revokeRefreshFamily(tx, familyId, now);
      recordAudit(tx, { actorId, organizationId: null, action: 'auth.refresh_reuse', targetType: 'session', targetId: familyId, ip, details: { revoked } });
      return undefined;
    }
    recordAudit(tx, { actorId, organizationId: null, action: 'auth.refresh', targetType: 'session', targetId: familyId, ip });
    return issueSession(tx, deps, actorId, familyId);
  });
  if (!pair) throw unauthorized('Refresh token is invalid, expired or revoked');
  return { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
}

/** Logout: revokes the presented token's family. Unknown tokens are ignored so logout is idempotent. */
export async function endSession(em: EntityManager, presented: string, ip: string | undefined): Promise<void> {
  const token = await findRefreshToken(em, hashOpaqueToken(presented));
  if (!token) return;
  await em.transactional(async (tx) => {
    await revokeRefreshFamily(tx, token.familyId, new Date());
    recordAudit(tx, { actorId: token.user.id, organizationId: null, action: 'auth.logout', targetType: 'session', targetId: token.familyId, ip });
  });
}
