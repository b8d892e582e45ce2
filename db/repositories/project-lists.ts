import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { PageQuery } from '../../domain/pagination';
import { AgentSession, Deployment, Preview } from '../entities/index';
import { findPage } from './pagination';

/** The ordering's values, as `findByCursor` encodes them: newest first, id breaks ties. */
const NewestFirst = z.tuple([z.iso.datetime(), z.uuid()]);
const newestFirst = { createdAt: 'desc', id: 'desc' } as const;

// A project's sessions, previews and deployments, each paged newest first (GET /projects/:id/...).

export const listProjectSessions = (em: EntityManager, projectId: string, page: PageQuery) =>
  findPage(page, NewestFirst, (window) => em.findByCursor(AgentSession, { where: { projectId }, orderBy: newestFirst, ...window }));

export const listProjectPreviews = (em: EntityManager, projectId: string, page: PageQuery) =>
  findPage(page, NewestFirst, (window) => em.findByCursor(Preview, { where: { projectId }, orderBy: newestFirst, ...window }));

export const listProjectDeployments = (em: EntityManager, projectId: string, page: PageQuery) =>
  findPage(page, NewestFirst, (window) => em.findByCursor(Deployment, { where: { projectId }, orderBy: newestFirst, ...window }));
