import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode, notFound } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import { Deployment, Preview } from '../entities/index';
import { requireRole } from './memberships';

/**
 * Loads a preview or deployment for a user holding at least `minimum` in its organization; one of
 * an organization the user is not in answers exactly like a missing one (404), so ids cannot be probed.
 */
async function requireDelivery<T extends Preview | Deployment>(em: EntityManager, userId: string, row: T | null, what: string, minimum: Role): Promise<T> {
  if (!row) throw notFound(what);
  try {
    await requireRole(em, userId, row.organizationId, minimum);
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.notFound) throw notFound(what);
    throw err;
  }
  return row;
}

export const requirePreview = async (em: EntityManager, userId: string, id: string, minimum: Role) =>
  requireDelivery(em, userId, await em.findOne(Preview, id), 'Preview', minimum);

export const requireDeployment = async (em: EntityManager, userId: string, id: string, minimum: Role) =>
  requireDelivery(em, userId, await em.findOne(Deployment, id), 'Deployment', minimum);

/** The project's live deployment, if any. */
export const findLiveDeployment = (em: EntityManager, projectId: string) => em.findOne(Deployment, { projectId, status: 'live' });
