import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { Invite, Membership, User } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requireRole } from '../../db/repositories/memberships';
import { CreateInviteBody, InviteDto, MembershipOfMe, OrgParams } from '../../domain/accounts';
import { conflict, forbidden, notFound, unauthorized } from '../../domain/errors';
import { hashOpaqueToken, newOpaqueToken } from '../auth/opaque-token';
import type { AppDeps } from '../deps';
import { toInviteDto, toMembershipOfMe } from '../dto/accounts';
import { defineRoute } from '../http/route';

const alreadyMember = () => conflict('You are already a member of this organization');
const InviteTokenParams = z.object({ token: z.string().min(1).max(512) });

export const inviteRoutes = ({ config }: AppDeps) => [
  defineRoute({
    method: 'post',
    path: '/orgs/:orgId/invites',
    creates: { under: '/invites/:token', param: 'token', pointer: '/token' },
    summary: 'Invite an email address into the organization with a role (admin); the answer carries the single-use token',
    tag: 'organizations',
    params: OrgParams,
    body: CreateInviteBody,
    status: 201,
    response: InviteDto,
    handler: async ({ params, body }, req) => {
      const actorId = req.auth!.userId;
      const { organization } = await requireRole(req.em, actorId, params.orgId, 'admin');
      if (await req.em.count(Membership, { organization: params.orgId, user: { email: body.email } })) {
        throw conflict('This email already belongs to a member of the organization');
      }
      const { token, hash } = newOpaqueToken();
      const invite = req.em.create(Invite, {
        organization,
        email: body.email,
        role: body.role,
        tokenHash: hash,
        invitedBy: actorId,
        expiresAt: new Date(Date.now() + config.INVITE_TTL_SECONDS * 1000),
        acceptedAt: null,
      });
      recordAudit(req.em, { actorId, organizationId: params.orgId, action: 'invite.create', targetType: 'invite', targetId: invite.id, ip: req.ip, details: { email: body.email, role: body.role } });
      await req.em.flush();
      return toInviteDto(invite, token);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/invites/:token/accept',
    summary: 'Join the organization of an invite sent to your email (404 unknown or used, 409 expired or already a member, 403 another email)',
    tag: 'organizations',
    params: InviteTokenParams,
    status: 201,
    response: MembershipOfMe,
    handler: async ({ params }, req) => {
      const userId = req.auth!.userId;
      const membership = await req.em.transactional(async (tx) => {
        // The row lock makes two concurrent accepts of one invite take turns: the second sees it used.
        const invite = await tx.findOne(Invite, { tokenHash: hashOpaqueToken(params.token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!invite || invite.acceptedAt) throw notFound('Invite');
        const user = await tx.findOne(User, userId);
        if (!user) throw unauthorized('This account no longer exists');
        if (user.email !== invite.email) throw forbidden('This invite was sent to another email address');
        if (invite.expiresAt <= new Date()) throw conflict('Invite expired');
        if (await tx.count(Membership, { organization: invite.organization, user: userId })) throw alreadyMember();
        invite.acceptedAt = new Date();
        const created = tx.create(Membership, { organization: invite.organization, user: userId, role: invite.role });
        recordAudit(tx, { actorId: userId, organizationId: invite.organization.id, action: 'invite.accept', targetType: 'invite', targetId: invite.id, ip: req.ip, details: { role: invite.role } });
        return tx.populate(created, ['organization']);
      }).catch((err: unknown) => {
        // Two different invites for the same person accepted at once: the unique (org, user) index decides.
        throw err instanceof UniqueConstraintViolationException ? alreadyMember() : err;
      });
      return toMembershipOfMe(membership);
    },
  }),
];
