import { OrgParams } from '../../domain/accounts';
import { costUsd, OrgUsageDto, pricesFrom, UsageQuery, type UsageTotals } from '../../domain/llm-pricing';
import { sumJobUsageByProject } from '../../db/repositories/job-usage';
import { requireRole } from '../../db/repositories/memberships';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';

/** The first instant of the current UTC month: the default start of a usage window. */
const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

export const usageRoutes = ({ config }: AppDeps) => {
  const prices = pricesFrom(config);
  return [
    defineRoute({
      method: 'get',
      path: '/orgs/:orgId/usage',
      summary: "Tokens and cost of the organization's codegen jobs in a window (default: this UTC month), per project",
      tag: 'organizations',
      params: OrgParams,
      query: UsageQuery,
      response: OrgUsageDto,
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
        };
      },
    }),
  ];
};
