import { randomUUID } from 'node:crypto';
import type { EntityDictionary, EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { AppError, ErrorCode, notFound } from '../../domain/errors';
import type { PageQuery } from '../../domain/pagination';
import type { VersionSource } from '../../domain/versions';
import { CodeVersion, Project } from '../entities/index';
import { findPage } from './pagination';

export async function findVersion(em: EntityManager, projectId: string, number: number): Promise<CodeVersion> {
  const version = await em.findOne(CodeVersion, { project: projectId, number });
  if (!version) throw notFound(`Version ${number}`);
  return version;
}

export const findVersionByKey = (em: EntityManager, projectId: string, idempotencyKey: string) =>
  em.findOne(CodeVersion, { project: projectId, idempotencyKey });

const VersionCursor = z.tuple([z.number().int()]);

/** Newest first. */
export const listVersions = (em: EntityManager, projectId: string, page: PageQuery) =>
  findPage(page, VersionCursor, (window) => em.findByCursor(CodeVersion, { where: { project: projectId }, orderBy: { number: 'desc' }, ...window }));

/**
 * Allocates the next version number of a project, or throws version_conflict (409) when `parent`
 * is no longer its current version. Must run inside the transaction that then inserts the version.
 *
 * A compare-and-set: the UPDATE row-locks the project until commit, so a concurrent writer with the
 * same `parent` waits, then re-checks the WHERE against the committed row, matches nothing and
 * gets its 409. Exactly one writer per parent wins; the unique (project, number) is the backstop.
 */
export async function advanceCurrentVersion(em: EntityManager, projectId: string, parent: number | null): Promise<number> {
  const next = (parent ?? 0) + 1;
  const moved = await em.nativeUpdate(Project, { id: projectId, currentVersion: parent }, { currentVersion: next, updatedAt: new Date() });
  if (moved === 1) return next;
  const project = await em.findOne(Project, projectId, { fields: ['currentVersion'], refresh: true });
  if (!project) throw notFound('Project');
  const current = project.currentVersion ?? null;
  throw new AppError(
    ErrorCode.versionConflict,
    `Version ${parent ?? 'none'} is not the current version of this project (current: ${current ?? 'none'}); reload and try again`,
    { parentVersion: parent, currentVersion: current },
  );
}

export interface NewVersionRow {
  projectId: string;
  number: number;
  parentVersion: number | null;
  message: string;
  source: VersionSource;
  storageRef: string;
  authorId: string | null;
  idempotencyKey: string | null;
}

/**
 * Inserts the version row at once (not at flush): its files reference it in the same transaction.
 * `returning *` hands back the row as stored, so it is not read again.
 */
export async function insertVersion(em: EntityManager, row: NewVersionRow): Promise<CodeVersion> {
  const [stored] = await em.execute<Array<EntityDictionary<CodeVersion>>>(
    `insert into code_versions (id, created_at, project_id, number, parent_version, message, source, storage_ref, author_id, idempotency_key)
     values (?, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
    [randomUUID(), new Date(), row.projectId, row.number, row.parentVersion, row.message, row.source, row.storageRef, row.authorId, row.idempotencyKey],
  );
  return em.map(CodeVersion, stored!);
}
