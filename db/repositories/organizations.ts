import type { EntityManager } from '@mikro-orm/postgresql';
import { Membership, Organization } from '../entities/index';

/** Queues a new organization with its creator as the first admin; the caller's flush writes both. */
export function createOrganization(em: EntityManager, creatorId: string, name: string): { organization: Organization; membership: Membership } {
  const organization = em.create(Organization, { name });
  const membership = em.create(Membership, { organization, user: creatorId, role: 'admin' });
  return { organization, membership };
}

/** The user's memberships with their organizations, oldest first. */
export const findMembershipsOf = (em: EntityManager, userId: string) =>
  em.find(Membership, { user: userId }, { populate: ['organization'], orderBy: { createdAt: 'asc', id: 'asc' } });
