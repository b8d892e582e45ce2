import { isIntBetween } from './value-checks';

// Token usage of model calls, without zod so workflows can sum it (domain/value-checks.ts says
// why); `Usage` in domain/agents.ts is the zod schema of the same shape, for the API.

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

export const emptyUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, calls: 0 });

export const addUsage = (a: Usage, b: Omit<Usage, 'calls'> & { calls?: number }): Usage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
  calls: a.calls + (b.calls ?? 1),
});

export const totalTokens = (u: Usage) => u.promptTokens + u.completionTokens;

const isCount = (value: unknown): value is number => isIntBetween(value, 0, Number.MAX_SAFE_INTEGER);

/** The usage `value` holds (only its three counts), or null when it is not one. */
export function usageOf(value: unknown): Usage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { promptTokens, completionTokens, calls } = value as Record<string, unknown>;
  if (!isCount(promptTokens) || !isCount(completionTokens) || !isCount(calls)) return null;
  return { promptTokens, completionTokens, calls };
}
