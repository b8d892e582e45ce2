import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

/**
 * Per-organization quotas. Every organization gets the operator's defaults (QUOTA_* environment
 * variables, domain/config.ts); the API enforces the admission limits, the worker caps a job's
 * token budget. A limit reached answers `quota_exceeded`: 429 for a rate, 403 for an amount.
 */
export const QuotaName = z.enum([
  'concurrentJobs',
  'messagesPerMinute',
  'queuedMessagesPerSession',
  'livePreviews',
  'deployments',
  'monthlyTokens',
  'storedBytes',
  'jobTokenBudget',
]);
export type QuotaName = z.infer<typeof QuotaName>;

export type QuotaPolicy = Record<QuotaName, number>;

/** Environment variable of each limit, with its default. */
const quotaEnv = {
  concurrentJobs: ['QUOTA_CONCURRENT_JOBS', 5],
  messagesPerMinute: ['QUOTA_MESSAGES_PER_MINUTE', 20],
  queuedMessagesPerSession: ['QUOTA_QUEUED_MESSAGES_PER_SESSION', 10],
  livePreviews: ['QUOTA_LIVE_PREVIEWS', 5],
  deployments: ['QUOTA_DEPLOYMENTS', 10],
  monthlyTokens: ['QUOTA_MONTHLY_TOKENS', 20_000_000],
  storedBytes: ['QUOTA_STORED_BYTES', 1024 * 1024 * 1024],
  jobTokenBudget: ['QUOTA_JOB_TOKEN_BUDGET', 1_000_000],
} as const satisfies Record<QuotaName, readonly [string, number]>;

type QuotaEnvKey = (typeof quotaEnv)[QuotaName][0];

/** The QUOTA_* entries of the config schema. */
export const quotaConfig = Object.fromEntries(
  Object.values(quotaEnv).map(([key, fallback]) => [key, z.coerce.number().int().positive().default(fallback)]),
) as Record<QuotaEnvKey, z.ZodDefault<z.ZodCoercedNumber<unknown>>>;
export const quotaConfigKeys = Object.fromEntries(Object.values(quotaEnv).map(([key]) => [key, true])) as Record<QuotaEnvKey, true>;

export function quotaPolicyFrom(config: Record<QuotaEnvKey, number>): QuotaPolicy {
  return Object.fromEntries(QuotaName.options.map((name) => [name, config[quotaEnv[name][0]]])) as QuotaPolicy;
}

/** Rates answer 429 with Retry-After; every other limit is an amount (403). */
const rateQuotas: ReadonlySet<QuotaName> = new Set(['messagesPerMinute']);

export interface QuotaDetails {
  limit: QuotaName;
  kind: 'rate' | 'amount';
  max: number;
  used: number;
  retryAfterSeconds?: number;
}

export function quotaExceeded(limit: QuotaName, max: number, used: number, message: string, retryAfterSeconds?: number): AppError {
  const details: QuotaDetails = { limit, kind: rateQuotas.has(limit) ? 'rate' : 'amount', max, used, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  return new AppError(ErrorCode.quotaExceeded, `Quota ${limit} reached: ${message}`, details);
}

/** One line of GET /orgs/:orgId/usage's `quotas`. */
export const QuotaUse = z.object({ used: z.number().nonnegative(), limit: z.number().positive() });
export const QuotaUsage = z.object({
  concurrentJobs: QuotaUse,
  messagesPerMinute: QuotaUse,
  /** The fullest open session of the organization. */
  queuedMessagesPerSession: QuotaUse,
  livePreviews: QuotaUse,
  deployments: QuotaUse,
  monthlyTokens: QuotaUse,
  storedBytes: QuotaUse,
  /** Largest token budget a job may have (`used`: the largest budget an open session asks for). */
  jobTokenBudget: QuotaUse,
});
export type QuotaUsage = z.infer<typeof QuotaUsage>;
