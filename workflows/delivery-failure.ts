import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { DeliveryError } from '../domain/providers';

export interface DeliveryFailure {
  error: DeliveryError;
  /** The build or server log tail the failing activity attached (activities/deployments/logged-activity.ts). */
  logTail: string[];
}

/**
 * What a failed preview or deployment records: the failure's stable type as its code (a build
 * verdict, a refused provider call, a failed health check), its message, and the log tail.
 * Anything untyped (a bug, a timeout after every retry) is `internal`.
 */
export function deliveryFailure(err: unknown): DeliveryFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { logTail?: unknown } | undefined;
    const logTail = Array.isArray(details?.logTail) ? details.logTail.filter((l): l is string => typeof l === 'string') : [];
    return { error: { code: cause.type ?? 'internal', message: cause.message }, logTail };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { error: { code: 'internal', message }, logTail: [] };
}

/**
 * One compensation step (stop what was started, remove a build). Its failure is logged, not
 * thrown: the outcome being recorded matters more, and the reaper removes what a step left behind.
 */
export async function compensate(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (err) {
    log.warn(`Compensation failed: ${what}; the reaper will retry it`, { error: deliveryFailure(err).error });
  }
}
