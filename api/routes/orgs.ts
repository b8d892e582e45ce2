import { recordAudit } from '../../db/repositories/audit';
import { createOrganization, findMembershipsOf } from '../../db/repositories/organizations';
import { CreateOrganizationBody, MyOrganization } from '../../domain/accounts';
import { Page } from '../../domain/pagination';
import type { AppDeps } from '../deps';
import { toMyOrganization } from '../dto/accounts';
import { defineRoute } from '../http/route';

export const orgRoutes = (_deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/orgs',
    // A user belongs to a handful of organizations: one page, no cursor.
    summary: 'Organizations you belong to, with your role in each',
    tag: 'organizations',
    response: Page(MyOrganization),
    handler: async (_input, req) => {
      const memberships = await findMembershipsOf(req.em, req.auth!.userId);
      return { items: memberships.map(toMyOrganization) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/orgs',
    creates: { under: '/orgs/:orgId', param: 'orgId', pointer: '/id' },
    summary: 'Create an organization; you become its admin',
    tag: 'organizations',
    body: CreateOrganizationBody,
    status: 201,
    response: MyOrganization,
    handler: async ({ body }, req) => {
      const userId = req.auth!.userId;
      const { membership, organization } = createOrganization(req.em, userId, body.name);
      recordAudit(req.em, { actorId: userId, organizationId: organization.id, action: 'org.create', targetType: 'organization', targetId: organization.id, ip: req.ip, details: { name: body.name } });
      await req.em.flush();
      return toMyOrganization(membership);
    },
  }),
];
