import type { EntityManager } from '@mikro-orm/postgresql';

export interface KeyScope {
  userId: string;
  key: string;
  fingerprint: string;
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'done'; answer: StoredAnswer }
  | { kind: 'in_progress' }
  | { kind: 'reused' };

/**
 * Claims a key for this request in one statement: a new key is inserted `in_progress`; an expired
 * row (older than its 24 h) is replaced, so expiry needs no sweep to be correct; an `in_progress`
 * row whose lease ran out (its request crashed) is taken over by the same request only.
 * Otherwise the row as it stands says what to answer.
 */
export async function claimKey(em: EntityManager, scope: KeyScope, leaseMs: number, ttlMs: number): Promise<Claim> {
  const claimed = await em.execute<unknown[]>(
    `insert into idempotency_keys as k (user_id, key, fingerprint, status, created_at, locked_until, expires_at)
     values (?, ?, ?, 'in_progress', now(), now() + make_interval(secs => ?), now() + make_interval(secs => ?))
     on conflict (user_id, key) do update set fingerprint = excluded.fingerprint, status = 'in_progress', response_status = null,
       response_body = null, created_at = excluded.created_at, locked_until = excluded.locked_until, expires_at = excluded.expires_at
     where k.expires_at < now() or (k.status = 'in_progress' and k.locked_until < now() and k.fingerprint = excluded.fingerprint)
     returning 1`,
    [scope.userId, scope.key, scope.fingerprint, leaseMs / 1000, ttlMs / 1000],
  );
  if (claimed.length > 0) return { kind: 'claimed' };
  const [row] = await em.execute<Array<{ fingerprint: string; status: string; response_status: number | null; response_body: unknown }>>(
    'select fingerprint, status, response_status, response_body from idempotency_keys where user_id = ? and key = ?',
    [scope.userId, scope.key],
  );
  // Gone between the two statements (released by a failed first request): claim again.
  if (!row) return claimKey(em, scope, leaseMs, ttlMs);
  if (row.fingerprint !== scope.fingerprint) return { kind: 'reused' };
  if (row.status === 'done') return { kind: 'done', answer: { status: row.response_status ?? 200, body: row.response_body } };
  return { kind: 'in_progress' };
}

/** Records the first answer; every retry with the key gets it until the row expires. */
export async function completeKey(em: EntityManager, scope: KeyScope, answer: StoredAnswer): Promise<void> {
  await em.execute(
    `update idempotency_keys set status = 'done', response_status = ?, response_body = ?::jsonb where user_id = ? and key = ?`,
    [answer.status, JSON.stringify(answer.body ?? null), scope.userId, scope.key],
  );
}

/** Forgets a key whose request failed on the server's side (5xx, 429): a retry runs it again. */
export async function releaseKey(em: EntityManager, scope: KeyScope): Promise<void> {
  await em.execute(`delete from idempotency_keys where user_id = ? and key = ? and status = 'in_progress'`, [scope.userId, scope.key]);
}

/** Deletes expired rows; correctness does not depend on it (claimKey replaces them), only table size. */
export async function sweepExpiredKeys(em: EntityManager): Promise<number> {
  const deleted = await em.execute<unknown[]>('delete from idempotency_keys where expires_at < now() returning 1');
  return deleted.length;
}
