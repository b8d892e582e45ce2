import { z } from 'zod';
import { QueryInstant } from './schema-bounds';
import type { Usage } from './agents';

/** What the configured model costs, in USD per million tokens (LLM_PRICE_*_PER_MTOK). */
export interface LlmPrices {
  promptPerMTok: number;
  completionPerMTok: number;
}

export const pricesFrom = (config: { LLM_PRICE_PROMPT_PER_MTOK: number; LLM_PRICE_COMPLETION_PER_MTOK: number }): LlmPrices => ({
  promptPerMTok: config.LLM_PRICE_PROMPT_PER_MTOK,
  completionPerMTok: config.LLM_PRICE_COMPLETION_PER_MTOK,
});

/**
 * The cost of some token usage, rounded to a millionth of a dollar: fine enough for one cheap
 * call, and it keeps float noise out of the sums clients display.
 */
export function costUsd(usage: Pick<Usage, 'promptTokens' | 'completionTokens'>, prices: LlmPrices): number {
  const exact = (usage.promptTokens * prices.promptPerMTok + usage.completionTokens * prices.completionPerMTok) / 1_000_000;
  return Math.round(exact * 1_000_000) / 1_000_000;
}

/** Usage summed over jobs: what `GET /orgs/:orgId/usage` reports per organization and per project. */
export const UsageTotals = z.object({
  jobs: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

/** A half-open window `[from, to)` on the jobs' creation time; defaults to this UTC month so far. */
export const UsageQuery = z
  .object({ from: QueryInstant.optional(), to: QueryInstant.optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: '`from` must be before `to`', path: ['from'] });
export type UsageQuery = z.infer<typeof UsageQuery>;

export const OrgUsageDto = z.object({
  organizationId: z.uuid(),
  from: z.string(),
  to: z.string(),
  prices: z.object({ promptPerMTok: z.number(), completionPerMTok: z.number() }),
  total: UsageTotals,
  /** Biggest spender first; `name` is null for a project deleted since (its jobs still count). */
  projects: z.array(UsageTotals.extend({ projectId: z.uuid(), name: z.string().nullable() })),
});
export type OrgUsageDto = z.infer<typeof OrgUsageDto>;
