import { listAuditLogs } from '../../db/repositories/audit';
import { requireRole } from '../../db/repositories/memberships';
import { AuditEntryDto, OrgParams } from '../../domain/accounts';
import { Page, PageQuery } from '../../domain/pagination';
import type { AppDeps } from '../deps';
import { toAuditEntryDto } from '../dto/accounts';
import { defineRoute } from '../http/route';

export const auditRoutes = (_deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/orgs/:orgId/audit',
    summary: "The organization's audit log, newest first (admin)",
    tag: 'organizations',
    params: OrgParams,
    query: PageQuery,
    response: Page(AuditEntryDto),
    handler: async ({ params, query }, req) => {
      await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
      const page = await listAuditLogs(req.em, params.orgId, query);
      return { ...page, items: page.items.map(toAuditEntryDto) };
    },
  }),
];
