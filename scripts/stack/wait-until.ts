import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `ready` until it returns true. Gives up after `timeoutMs`, or at once when `failed`
 * says the thing being waited for is gone (a child that exited), with that reason.
 */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 200, failed }: { timeoutMs?: number; intervalMs?: number; failed?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}
