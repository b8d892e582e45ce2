import { AppError, ErrorCode } from '../../domain/errors';

const WINDOW_MS = 15 * 60_000;
/** Past this many tracked accounts, expired entries are swept: random emails cannot grow the map forever. */
const SWEEP_ABOVE = 10_000;

/**
 * Failed sign-ins per account, next to the per-address limit (rate-limit.ts): guessing one
 * account's password from many addresses is throttled too. A window starts at the first failure;
 * past `maxFailures` every attempt on that account answers 429 until the window ends, a right
 * password included (otherwise the throttle would tell the attacker when they hit). Per API node.
 */
export function accountThrottle(maxFailures: number, now: () => number = Date.now) {
  const failures = new Map<string, { count: number; until: number }>();
  const keyOf = (email: string) => email.trim().toLowerCase();
  const current = (key: string) => {
    const entry = failures.get(key);
    if (entry && entry.until <= now()) failures.delete(key);
    return failures.get(key);
  };
  return {
    /** Throws 429 when the account is over its failures. */
    check(email: string): void {
      const entry = current(keyOf(email));
      if (entry && entry.count >= maxFailures) {
        const seconds = Math.ceil((entry.until - now()) / 1000);
        throw new AppError(ErrorCode.rateLimited, `Too many failed sign-ins for this account; retry in ${seconds} seconds`, { retryAfterSeconds: seconds });
      }
    },
    failed(email: string): void {
      const key = keyOf(email);
      const entry = current(key);
      if (entry) entry.count++;
      else failures.set(key, { count: 1, until: now() + WINDOW_MS });
      if (failures.size > SWEEP_ABOVE) for (const k of [...failures.keys()]) current(k);
    },
    succeeded(email: string): void {
      failures.delete(keyOf(email));
    },
  };
}
