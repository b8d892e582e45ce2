import { ErrorCode } from '../domain/errors';
import type { ForgeApiError } from './forge-api-error';

export interface RetryOptions {
  /** Tries in all, the first included (default 4). 1 turns retries off. */
  attempts?: number;
  /** Backoff before the first retry, doubled each time with jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Cap on one wait, Retry-After included (default 10 s). */
  maxDelayMs?: number;
}

/**
 * Answers worth repeating: the API never got or finished it (no answer at all), a dependency is
 * down (503), or the first request with this Idempotency-Key is still running (409 in progress).
 */
export const isRetryable = (err: ForgeApiError) =>
  err.status === 0 || err.status === 503 || err.code === ErrorCode.idempotencyInProgress;

/** Wait before retry `attempt` (1-based): the server's Retry-After when it gave one, else jittered backoff. */
export function retryDelayMs(options: RetryOptions, attempt: number, retryAfter: string | null): number {
  const max = options.maxDelayMs ?? 10_000;
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(max, seconds * 1000);
  const base = (options.baseDelayMs ?? 250) * 2 ** (attempt - 1);
  return Math.min(max, base * (0.8 + Math.random() * 0.4));
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
