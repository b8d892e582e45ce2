import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { assertAdminRemains, lockMemberships, requireRole } from '../../db/repositories/memberships';
import { ChangeRoleBody, MemberDto, MemberParams, OrgParams } from '../../domain/accounts';
import { notFound } from '../../domain/errors';
import { Page } from '../../domain/pagination';
import type { AppDeps } from '../deps';
import { toMemberDto } from '../dto/accounts';
import { defineRoute } from '../http/route';

/**
 * Runs a membership change with every membership row of the organization locked (see
 * `lockMemberships`), after checking that the caller may make it. Commits the change and its audit row together.
 */
async function withLockedMembers<T>(
  em: EntityManager,
  organizationId: string,
  targetUserId: string,
  authorize: (tx: EntityManager) => Promise<unknown>,
  change: (tx: EntityManager, members: Membership[], target: Membership) => Promise<T>,
): Promise<T> {
  return em.transactional(async (tx) => {
    const members = await lockMemberships(tx, organizationId);
    await authorize(tx);
    const target = members.find((m) => m.user.id === targetUserId);
    if (!target) throw notFound('Member');
    return change(tx, members, target);
  });
}

export const memberRoutes = (_deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/orgs/:orgId/members',
    // Organizations hold tens of members, not thousands: one page, no cursor.
    summary: 'Members of the organization with their roles (any member)',
    tag: 'organizations',
    params: OrgParams,
    response: Page(MemberDto),
    handler: async ({ params }, req) => {
      await requireRole(req.em, req.auth!.userId, params.orgId, 'viewer');
      const members = await req.em.find(Membership, { organization: params.orgId }, { populate: ['user'], orderBy: { createdAt: 'asc', id: 'asc' } });
      return { items: members.map(toMemberDto) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/orgs/:orgId/members/:userId',
    summary: "Change a member's role (admin); the last admin cannot be demoted",
    tag: 'organizations',
    params: MemberParams,
    body: ChangeRoleBody,
    response: MemberDto,
    handler: async ({ params, body }, req) => {
      const actorId = req.auth!.userId;
      const target = await withLockedMembers(req.em, params.orgId, params.userId, (tx) => requireRole(tx, actorId, params.orgId, 'admin'), async (tx, members, target) => {
        assertAdminRemains(members, target, body.role);
        const from = target.role;
        target.role = body.role;
        recordAudit(tx, { actorId, organizationId: params.orgId, action: 'member.role_change', targetType: 'user', targetId: params.userId, ip: req.ip, details: { from, to: body.role } });
        return tx.populate(target, ['user']);
      });
      return toMemberDto(target);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/orgs/:orgId/members/:userId',
    summary: 'Remove a member (admin), or leave the organization yourself; the last admin cannot be removed',
    tag: 'organizations',
    params: MemberParams,
    status: 204,
    handler: async ({ params }, req) => {
      const actorId = req.auth!.userId;
      // Leaving needs only membership; removing someone else needs admin.
      const minimum = actorId === params.userId ? 'viewer' : 'admin';
      await withLockedMembers(req.em, params.orgId, params.userId, (tx) => requireRole(tx, actorId, params.orgId, minimum), async (tx, members, target) => {
        assertAdminRemains(members, target, null);
        tx.remove(target);
        recordAudit(tx, { actorId, organizationId: params.orgId, action: 'member.remove', targetType: 'user', targetId: params.userId, ip: req.ip, details: { role: target.role } });
      });
    },
  }),
];
