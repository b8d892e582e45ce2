import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { claimKey, completeKey, releaseKey, type KeyScope, type StoredAnswer } from '../../db/repositories/idempotency-keys';
import { AppError, ErrorCode } from '../../domain/errors';
import { IdempotencyKey } from '../../domain/idempotency';
import { httpStatusOf, knownError, toErrorBody } from '../middleware/error-handler';

/** A key is answered from its first result for this long (the contract's 24 hours). */
const KEY_TTL_MS = 24 * 3600 * 1000;
/** An in-progress key older than this was left by a crashed request: a retry may take it over. */
const LEASE_MS = 60_000;
/**
 * A concurrent twin of a running request waits this long for its answer, then gets 409
 * `idempotency_in_progress` with Retry-After (the SDK retries it with the same key).
 */
const WAIT_MS = 5_000;
const POLL_MS = 100;

/** Validates the `Idempotency-Key` header (or socket field): absent is fine, malformed is a 400. */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(value);
  if (!parsed.success) throw new AppError(ErrorCode.invalidInput, 'Idempotency-Key must be 1 to 255 visible ASCII characters', { issues: parsed.error.issues });
  return parsed.data;
}

/** JSON with sorted keys, so a retry that serializes its body in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What "the same request" means: operation (method and route, or socket command), target path, body, user. */
export function fingerprintOf(operation: string, target: string, body: unknown, userId: string): string {
  return createHash('sha256').update([operation, target, userId, canonical(body)].join('\n')).digest('hex');
}

/** Answers that a retry should get again; a 5xx or 429 is released so the retry runs afresh. */
const isFinal = (status: number) => status < 500 && status !== 429;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `run` once per (user, key): the first request runs it and records its answer (success or
 * 4xx error; `recorded` settles when a success's record is written); retries and concurrent twins
 * get that answer with `replayed: true`; the same key with another request is 422 `idempotency_key_reused`.
 */
export async function runIdempotent(em: EntityManager, scope: KeyScope, run: () => Promise<StoredAnswer>): Promise<StoredAnswer & { replayed: boolean; recorded: Promise<void> }> {
  const waitUntil = Date.now() + WAIT_MS;
  for (;;) {
    const claim = await claimKey(em, scope, LEASE_MS, KEY_TTL_MS);
    if (claim.kind === 'claimed') break;
    if (claim.kind === 'reused') throw new AppError(ErrorCode.idempotencyKeyReused, 'This Idempotency-Key was used for another request; use a new key for a new request');
    if (claim.kind === 'done') return { ...claim.answer, replayed: true, recorded: Promise.resolve() };
    if (Date.now() >= waitUntil) throw new AppError(ErrorCode.idempotencyInProgress, 'A request with this Idempotency-Key is still running; retry shortly', { retryAfterSeconds: 1 });
    await sleep(POLL_MS);
  }
  let answer: StoredAnswer;
  try {
    answer = await run();
  } catch (err) {
    const known = knownError(err);
    const status = known ? httpStatusOf(known) : 500;
    await (isFinal(status) ? completeKey(em, scope, { status, body: toErrorBody(known) }) : releaseKey(em, scope)).catch(() => {});
    throw err;
  }
  // Recorded while the answer goes out, not before: a retry that comes first finds the key in
  // progress and waits for the record. The caller logs a record that failed (the key's lease then
  // runs out and a retry runs again).
  const recorded = isFinal(answer.status) ? completeKey(em, scope, answer) : releaseKey(em, scope);
  return { ...answer, replayed: false, recorded };
}

/** A stored error answer, thrown again on a replay (the socket acks need the error, not a status). */
export function replayedError(answer: StoredAnswer): AppError | undefined {
  if (answer.status < 400) return undefined;
  const { error } = answer.body as { error: { code: ErrorCode; message: string; details?: unknown } };
  return new AppError(error.code, error.message, error.details);
}
