import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { AppError, ErrorCode, notFound } from '../../domain/errors';
import type { PageQuery } from '../../domain/pagination';
import { SLUG_MAX_LENGTH } from '../../domain/projects';
import type { Role } from '../../domain/roles';
import { Project } from '../entities/index';
import { requireRole } from './memberships';
import { findPage } from './pagination';

/**
 * Loads a project for a user holding at least `minimum` in its organization. A project of an
 * organization the user is not in answers exactly like a missing one (404 "Project not found"),
 * so ids of other organizations cannot be probed.
 */
export async function requireProject(em: EntityManager, userId: string, projectId: string, minimum: Role): Promise<Project> {
  const project = await em.findOne(Project, projectId);
  if (!project) throw notFound('Project');
  try {
    await requireRole(em, userId, project.organization.id, minimum);
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.notFound) throw notFound('Project');
    throw err;
  }
  return project;
}

/** `base` with `suffix`, cut so the whole fits a slug. */
const withSuffix = (base: string, suffix: string) => `${base.slice(0, SLUG_MAX_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;

/**
 * `base`, else `base-2` ... `base-50`, else `base-<random>`: the first slug free in the organization.
 * For slugs derived from a name; the unique index still decides between two creations racing for one slug.
 */
export async function freeSlug(em: EntityManager, organizationId: string, base: string): Promise<string> {
  const candidates = Array.from({ length: 50 }, (_, i) => withSuffix(base, i === 0 ? '' : `-${i + 1}`));
  const taken = await em.find(Project, { organization: organizationId, slug: { $in: candidates } }, { fields: ['slug'] });
  const takenSlugs = new Set(taken.map((row) => row.slug));
  return candidates.find((slug) => !takenSlugs.has(slug)) ?? withSuffix(base, `-${randomBytes(4).toString('hex')}`);
}

/** The ordering's values, as `findByCursor` encodes them: newest first, id breaks ties. */
const ProjectCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export const listProjects = (em: EntityManager, organizationId: string, page: PageQuery) =>
  findPage(page, ProjectCursor, (window) =>
    em.findByCursor(Project, { where: { organization: organizationId }, orderBy: { createdAt: 'desc', id: 'desc' }, ...window }),
  );
