import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, forbidden, notFound } from '../../domain/errors';
import { roleAtLeast, type Role } from '../../domain/roles';
import { Membership } from '../entities/index';

/**
 * The organization-scoping gate used by every route: no membership means the organization
 * (and everything in it) does not exist for this user (404); a membership below `minimum` is a 403.
 */
export async function requireRole(em: EntityManager, userId: string, organizationId: string, minimum: Role): Promise<Membership> {
  const membership = await em.findOne(Membership, { user: userId, organization: organizationId });
  if (!membership) throw notFound('Organization');
  assertRole(membership.role, minimum);
  return membership;
}

/** A member's role against the one a call needs: below it is a 403. */
export function assertRole(role: Role, minimum: Role): void {
  if (!roleAtLeast(role, minimum)) throw roleTooLow(role, minimum);
}

/** The 403 for a role below the one a call needs. */
export const roleTooLow = (role: Role, minimum: Role) => forbidden(`This needs the ${minimum} role; you are ${role}`);

/**
 * Locks every membership row of the organization (`select ... for update`, in id order so two
 * lockers cannot deadlock) for the rest of the transaction. Role changes and removals take this
 * lock first, so two concurrent demotions cannot both see "another admin remains".
 */
export const lockMemberships = (em: EntityManager, organizationId: string): Promise<Membership[]> =>
  em.find(Membership, { organization: organizationId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });

/** The last-admin rule: an organization always keeps at least one admin. `nextRole` null means removal. */
export function assertAdminRemains(members: Membership[], target: Membership, nextRole: Role | null): void {
  if (target.role !== 'admin' || nextRole === 'admin') return;
  const admins = members.filter((m) => m.role === 'admin').length;
  if (admins <= 1) throw conflict('An organization needs at least one admin: promote another member first');
}
