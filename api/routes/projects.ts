import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Project } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requireRole } from '../../db/repositories/memberships';
import { freeSlug, listProjects, requireProject } from '../../db/repositories/projects';
import { findVersion } from '../../db/repositories/versions';
import { OrgParams } from '../../domain/accounts';
import { conflict } from '../../domain/errors';
import { Page, PageQuery } from '../../domain/pagination';
import { CreateProjectBody, ProjectDto, ProjectParams, PublishBody, slugify, UpdateProjectBody } from '../../domain/projects';
import { ProjectDeletionDto } from '../../domain/project-deletion';
import { taskQueues } from '../../domain/task-queues';
import type { AppDeps } from '../deps';
import { toProjectDto } from '../dto/projects';
import { defineRoute } from '../http/route';
import { startProjectDeletion } from '../projects/project-deletion';

/** Flushes a new or renamed project; the (organization, slug) unique index turns a taken slug into a 409. */
async function flushSlug(em: EntityManager, slug: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw conflict(`The slug "${slug}" is already used by a project of this organization`, { slug });
    throw err;
  }
}

// Roles: viewers read; editors create, rename and publish (publishing moves a pointer; production
// deploys, which need admin, are a separate resource); only admins delete a project and its history.
export const projectRoutes = (deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/orgs/:orgId/projects',
    summary: 'Projects of an organization, newest first',
    tag: 'projects',
    params: OrgParams,
    query: PageQuery,
    response: Page(ProjectDto),
    handler: async ({ params, query }, req) => {
      await requireRole(req.em, req.auth!.userId, params.orgId, 'viewer');
      const page = await listProjects(req.em, params.orgId, query);
      return { ...page, items: page.items.map(toProjectDto) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/orgs/:orgId/projects',
    creates: { under: '/projects/:projectId', param: 'projectId', pointer: '/id' },
    summary: 'Create a project; without a slug, one is derived from the name (suffixed -2, -3... when taken)',
    tag: 'projects',
    params: OrgParams,
    body: CreateProjectBody,
    status: 201,
    response: ProjectDto,
    handler: async ({ params, body }, req) => {
      const userId = req.auth!.userId;
      await requireRole(req.em, userId, params.orgId, 'editor');
      const slug = body.slug ?? (await freeSlug(req.em, params.orgId, slugify(body.name)));
      const project = req.em.create(Project, {
        organization: params.orgId,
        name: body.name,
        slug,
        storageBackend: 'internal',
        storageConfig: null,
        currentVersion: null,
        publishedVersion: null,
      });
      recordAudit(req.em, { actorId: userId, organizationId: params.orgId, action: 'project.create', targetType: 'project', targetId: project.id, ip: req.ip, details: { name: body.name, slug } });
      await flushSlug(req.em, slug);
      return toProjectDto(project);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/projects/:projectId',
    summary: 'One project',
    tag: 'projects',
    params: ProjectParams,
    response: ProjectDto,
    handler: async ({ params }, req) => toProjectDto(await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer')),
  }),
  defineRoute({
    method: 'patch',
    path: '/projects/:projectId',
    summary: 'Rename a project or change its slug',
    tag: 'projects',
    params: ProjectParams,
    body: UpdateProjectBody,
    response: ProjectDto,
    handler: async ({ params, body }, req) => {
      const userId = req.auth!.userId;
      const project = await requireProject(req.em, userId, params.projectId, 'editor');
      const before = { name: project.name, slug: project.slug };
      if (body.name !== undefined) project.name = body.name;
      if (body.slug !== undefined) project.slug = body.slug;
      recordAudit(req.em, { actorId: userId, organizationId: project.organization.id, action: 'project.update', targetType: 'project', targetId: project.id, ip: req.ip, details: { before, after: body } });
      await flushSlug(req.em, project.slug);
      return toProjectDto(project);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/projects/:projectId',
    summary: 'Delete a project (admin): a workflow stops its jobs, previews and deployments, then deletes it with its versions',
    tag: 'projects',
    params: ProjectParams,
    status: 202,
    response: ProjectDeletionDto,
    handler: async ({ params }, req) => {
      const userId = req.auth!.userId;
      const project = await requireProject(req.em, userId, params.projectId, 'admin');
      const queue = taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents;
      return startProjectDeletion({ em: req.em, temporal: deps.temporal, queue, userId, ip: req.ip }, project);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/projects/:projectId/publish',
    summary: 'Point the project at the version deploys ship (null unpublishes)',
    tag: 'projects',
    params: ProjectParams,
    body: PublishBody,
    response: ProjectDto,
    handler: async ({ params, body }, req) => {
      const userId = req.auth!.userId;
      const project = await requireProject(req.em, userId, params.projectId, 'editor');
      if (body.version !== null) await findVersion(req.em, project.id, body.version);
      const previous = project.publishedVersion ?? null;
      project.publishedVersion = body.version;
      recordAudit(req.em, { actorId: userId, organizationId: project.organization.id, action: 'project.publish', targetType: 'project', targetId: project.id, ip: req.ip, details: { version: body.version, previous } });
      await req.em.flush();
      return toProjectDto(project);
    },
  }),
];
