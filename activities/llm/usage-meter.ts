import { AsyncLocalStorage } from 'node:async_hooks';
import { addUsage, emptyUsage, type Usage } from '../../domain/agents';

/**
 * Counts the tokens of every model reply received inside `metered(...)`, whatever happens after:
 * a reply that fails to parse, or a file too large to store, still cost its tokens.
 * completion-rounds.ts reports each round here.
 */
const meters = new AsyncLocalStorage<{ spent: Usage }>();

export function metered<T>(run: () => Promise<T>): { meter: { spent: Usage }; result: Promise<T> } {
  const meter = { spent: emptyUsage() };
  return { meter, result: meters.run(meter, run) };
}

export function meterReply(usage: Usage): void {
  const meter = meters.getStore();
  if (meter) meter.spent = addUsage(meter.spent, usage);
}

/**
 * Takes tokens out of the current meter that are accounted for elsewhere (a generated file's row,
 * generated-files.ts): a failed attempt records only what it spent on work it did not keep.
 */
export function settleUsage(usage: Usage): void {
  const meter = meters.getStore();
  if (meter) meter.spent = addUsage(meter.spent, { promptTokens: -usage.promptTokens, completionTokens: -usage.completionTokens, calls: -usage.calls });
}
