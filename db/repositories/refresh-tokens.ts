import type { EntityManager } from '@mikro-orm/postgresql';
import { RefreshToken } from '../entities/index';

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

/** Queues a token row; the caller's flush writes it. */
export function addRefreshToken(em: EntityManager, token: NewRefreshToken): RefreshToken {
  return em.create(RefreshToken, { user: token.userId, familyId: token.familyId, tokenHash: token.tokenHash, expiresAt: token.expiresAt, usedAt: null, revokedAt: null });
}

export type SpendOutcome =
  | { outcome: 'spent'; token: RefreshToken }
  /** The token had already been spent: a replay, most likely of a stolen copy. */
  | { outcome: 'replayed'; token: RefreshToken }
  /** Unknown, expired or revoked. */
  | { outcome: 'invalid' };

/**
 * Marks a live token used with one conditional UPDATE, so of two concurrent refreshes with the same
 * token exactly one spends it and the other is treated as a replay.
 */
export async function spendRefreshToken(em: EntityManager, tokenHash: string, now: Date): Promise<SpendOutcome> {
  const updated = await em.nativeUpdate(RefreshToken, { tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } }, { usedAt: now });
  const token = await em.findOne(RefreshToken, { tokenHash });
  if (!token) return { outcome: 'invalid' };
  if (updated === 1) return { outcome: 'spent', token };
  return token.usedAt ? { outcome: 'replayed', token } : { outcome: 'invalid' };
}

export const findRefreshToken = (em: EntityManager, tokenHash: string) => em.findOne(RefreshToken, { tokenHash });

/** Revokes every live token of a sign-in (logout, or a detected replay). */
export const revokeRefreshFamily = (em: EntityManager, familyId: string, now: Date): Promise<number> =>
  em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: now });
