import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import { DeliveryFailureType, ErrorCode } from '../domain/errors';
import type { DeliveryError } from '../domain/providers';

/** Failure types whose message was written for users; any other (an ORM's DriverException, a bug) stays internal. */
const userFacing = new Set<string>([...Object.values(DeliveryFailureType), ...Object.values(ErrorCode)]);
const internalMessage = 'Forge failed internally while handling this; the operators have the details in the workflow history';

export interface DeliveryFailure {
  error: DeliveryError;
  /** The build or server log tail the failing activity attached (activities/deployments/logged-activity.ts). */
  logTail: string[];
}

/**
 * What a failed preview or deployment records: the failure's stable type as its code (a build
 * verdict, a refused provider call, a failed health check), its message, and the log tail.
 * Anything untyped (a bug, a database error, a timeout after every retry) is `internal`, with a
 * fixed sentence: internal error names and messages never reach users (the log keeps them).
 */
export function deliveryFailure(err: unknown): DeliveryFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type && userFacing.has(cause.type)) {
    const details = cause.details?.[0] as { logTail?: unknown } | undefined;
    const logTail = Array.isArray(details?.logTail) ? details.logTail.filter((l): l is string => typeof l === 'string') : [];
    return { error: { code: cause.type, message: cause.message }, logTail };
  }
  log.warn('A delivery failed internally', { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) });
  return { error: { code: ErrorCode.internal, message: internalMessage }, logTail: [] };
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
