import { User } from '../../db/entities/index';
import { findMembershipsOf } from '../../db/repositories/organizations';
import { MeResponse } from '../../domain/accounts';
import { unauthorized } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { toMembershipOfMe, toUserDto } from '../dto/accounts';
import { defineRoute } from '../http/route';

export const meRoutes = (_deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/me',
    summary: 'The signed-in user and the organizations they belong to, with their role in each',
    tag: 'accounts',
    response: MeResponse,
    handler: async (_input, req) => {
      const userId = req.auth!.userId;
      const user = await req.em.findOne(User, userId);
      // A still-valid access token of a deleted account.
      if (!user) throw unauthorized('This account no longer exists');
      const memberships = await findMembershipsOf(req.em, userId);
      return { user: toUserDto(user), memberships: memberships.map(toMembershipOfMe) };
    },
  }),
];
