import { OrgParams } from '../../domain/accounts';
import { costUsd, OrgUsageDto, pricesFrom, UsageQuery, type UsageTotals } from '../../domain/llm-pricing';
import { sumJobUsageByProject } from '../../db/repositories/job-usage';
import { monthStart, quotaUsage } from '../../db/repositories/quota-usage';
import { quotaPolicyFrom, QuotaUsage, type QuotaPolicy } from '../../domain/quotas';
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireRole } from '../../db/repositories/memberships';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';

/** The window's totals, and the organization's quotas now: each limit with what is used of it. */
const UsageWithQuotas = OrgUsageDto.extend({ quotas: QuotaUsage });

export const usageRoutes = ({ config }: AppDeps) => {
  const prices = pricesFrom(config);
  const policy = quotaPolicyFrom(config);
  return [
    defineRoute({
      method: 'get',
      path: '/orgs/:orgId/usage',
      summary: "Tokens and cost of the organization's codegen jobs in a window (default: this UTC month), per project",
      tag: 'organizations',
      params: OrgParams,
      query: UsageQuery,
      response: UsageWithQuotas,
      handler: async ({ params, query }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'viewer');
        const to = query.to ? new Date(query.to) : new Date();
        const from = query.from ? new Date(query.from) : monthStart(to);
        const rows = await sumJobUsageByProject(req.em, params.orgId, from, to);
        const projects = rows
          .map((row) => ({ ...row, costUsd: costUsd(row, prices) }))
          .sort((a, b) => b.costUsd - a.costUsd || b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens));
        const sum = (key: keyof Omit<UsageTotals, 'costUsd'>) => projects.reduce((total, p) => total + p[key], 0);
        const tokens = { promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens') };
        return {
          organizationId: params.orgId,
          from: from.toISOString(),
          to: to.toISOString(),
          prices,
          total: { jobs: sum('jobs'), calls: sum('calls'), ...tokens, costUsd: costUsd(tokens, prices) },
          projects,
          quotas: await quotasInUse(req.em, params.orgId, policy),
        };
      },
    }),
  ];
};

async function quotasInUse(em: EntityManager, orgId: string, policy: QuotaPolicy): Promise<QuotaUsage> {
  const [jobs, recent, queued, previews, deployments, tokens, bytes, budget] = await Promise.all([
    quotaUsage.unfinishedJobs(em, orgId),
    quotaUsage.messagesLastMinute(em, orgId),
    quotaUsage.fullestSessionQueue(em, orgId),
    quotaUsage.livePreviews(em, orgId),
    quotaUsage.activeDeployments(em, orgId),
    quotaUsage.tokensSince(em, orgId, monthStart(new Date())),
    quotaUsage.storedBytes(em, orgId),
    quotaUsage.largestSessionBudget(em, orgId),
  ]);
  const use = (used: number, limit: number) => ({ used, limit });
  return {
    concurrentJobs: use(jobs, policy.concurrentJobs),
    messagesPerMinute: use(recent.count, policy.messagesPerMinute),
    queuedMessagesPerSession: use(queued, policy.queuedMessagesPerSession),
    livePreviews: use(previews, policy.livePreviews),
    deployments: use(deployments, policy.deployments),
    monthlyTokens: use(tokens, policy.monthlyTokens),
    storedBytes: use(bytes, policy.storedBytes),
    jobTokenBudget: use(budget, policy.jobTokenBudget),
  };
}
