import type { Request } from 'express';
import { z } from 'zod';
import { storageFor, type SaveVersionInput, type StorageBackend } from '../../activities/storage/index';
import { startGithubCommit } from '../../activities/github/start-commit';
import { type Project, VersionCommit } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { appendEvents } from '../../db/repositories/event-log';
import { requireProject } from '../../db/repositories/projects';
import { findVersion, listVersions } from '../../db/repositories/versions';
import { notFound } from '../../domain/errors';
import { topicFor } from '../../domain/events';
import { describePath } from '../../domain/file-path';
import { Page, PageQuery } from '../../domain/pagination';
import { ProjectParams } from '../../domain/projects';
import { taskQueues } from '../../domain/task-queues';
import { CreateVersionBody, FileContent, RollbackBody, VersionDiffDto, VersionDto, VersionParam, VersionSummaryDto } from '../../domain/versions';
import type { AppDeps } from '../deps';
import { toVersionDto, toVersionSummaryDto } from '../dto/projects';
import { defineRoute } from '../http/route';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

const VersionParams = ProjectParams.extend({ n: VersionParam });
/** Express 5 hands the `*path` wildcard over as its segments; the document shows the path clients send. */
const WildcardPath = z
  .preprocess((segments: unknown) => (Array.isArray(segments) ? segments.join('/') : segments), z.string())
  .meta({ type: 'string', description: 'The file path, its slashes left unencoded (src/App.tsx)' });
const FileParams = VersionParams.extend({ path: WildcardPath });
const DiffParams = ProjectParams.extend({ a: VersionParam, b: VersionParam });

/**
 * Gets the tree (storing contents if need be) and records the version in one transaction with its
 * audit row and its `version.saved` event on the project topic (live views of the project hear of
 * it at commit): a 409, or any other failure, leaves nothing behind.
 */
async function saveAudited(
  req: Request,
  project: Project,
  input: Omit<SaveVersionInput, 'files'>,
  tree: (storage: StorageBackend) => Promise<SaveVersionInput['files']>,
) {
  return req.em.transactional(async (em) => {
    const storage = storageFor(em, project);
    const saved = await storage.saveVersion({ ...input, files: await tree(storage) });
    recordAudit(em, {
      actorId: input.authorId,
      organizationId: project.organization.id,
      action: input.source === 'rollback' ? 'version.rollback' : 'version.create',
      targetType: 'project',
      targetId: project.id,
      ip: req.ip,
      details: { number: saved.version.number, parentVersion: input.parentVersion, source: input.source, files: saved.files.length },
    });
    // key null: this request's transaction is the only writer of this event, it cannot repeat.
    await appendEvents(em, topicFor('project', project.id), [
      { type: 'version.saved', data: { version: saved.version.number, parentVersion: input.parentVersion, source: input.source }, key: null },
    ]);
    return toVersionDto(saved.version, saved.files);
  });
}

// Versions are immutable: there is no route that changes or deletes one. Viewers read; editors write.
export const versionRoutes = (deps: AppDeps) => {
  const queue = taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents;
  /** After the version committed: a GitHub project's version becomes a commit (in the worker). */
  const mirrored = async (project: Project, saved: Promise<VersionDto>) => {
    const version = await saved;
    await startGithubCommit(deps.temporal, queue, project, { number: version.number });
    return version;
  };
  const quotas = createQuotaGuard(quotaPolicyFrom(deps.config));
  return [
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/versions',
    summary: 'Versions of a project, newest first',
    tag: 'versions',
    params: ProjectParams,
    query: PageQuery,
    response: Page(VersionSummaryDto),
    handler: async ({ params, query }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const page = await listVersions(req.em, project.id, query);
      return { ...page, items: page.items.map(toVersionSummaryDto) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/versions/:n',
    summary: 'One version with its file list (path, hash, size)',
    tag: 'versions',
    params: VersionParams,
    response: VersionDto,
    handler: async ({ params }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const version = await findVersion(req.em, project.id, params.n);
      const commit = await req.em.findOne(VersionCommit, { projectId: project.id, number: version.number });
      return toVersionDto(version, await storageFor(req.em, project).listFiles(version), commit);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/versions/:n/files/*path',
    summary: 'One file of a version, as JSON { path, hash, size, content }',
    tag: 'versions',
    params: FileParams,
    response: FileContent,
    handler: async ({ params }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const version = await findVersion(req.em, project.id, params.n);
      const file = await storageFor(req.em, project).getFile(version, params.path);
      if (!file) throw notFound(`File ${describePath(params.path)} of version ${params.n}`);
      return file;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/projects/:projectId/versions/:a/diff/:b',
    summary: 'Unified diff per changed file from version a to version b',
    tag: 'versions',
    params: DiffParams,
    response: VersionDiffDto,
    handler: async ({ params }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
      const from = await findVersion(req.em, project.id, params.a);
      const to = await findVersion(req.em, project.id, params.b);
      return storageFor(req.em, project).diff(from, to);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/projects/:projectId/versions',
    creates: { under: '/projects/:projectId/versions/:n', param: 'n', pointer: '/number' },
    summary: 'Save a new version (the complete file tree) on top of parentVersion; 409 when it is no longer current',
    tag: 'versions',
    // Above the largest version (domain/versions.ts VersionLimits.maxVersionBytes) plus JSON escaping.
    bodyLimit: deps.config.UPLOAD_BODY_LIMIT_BYTES,
    params: ProjectParams,
    body: CreateVersionBody,
    status: 201,
    response: VersionDto,
    handler: async ({ params, body }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'editor');
      // Counted as if every file were new: content already stored costs nothing, so this errs on the safe side.
      await quotas.assertStorage(req.em, project.organization.id, body.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0));
      const input = { parentVersion: body.parentVersion, message: body.message, source: body.source, authorId: req.auth!.userId };
      return mirrored(project, saveAudited(req, project, input, (storage) => storage.putFiles(body.files)));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/projects/:projectId/versions/:n/rollback',
    creates: { under: '/projects/:projectId/versions/:n', param: 'n', pointer: '/number' },
    summary: 'Save a new version (source rollback) whose files are those of version n',
    tag: 'versions',
    params: VersionParams,
    body: RollbackBody,
    status: 201,
    response: VersionDto,
    handler: async ({ params, body }, req) => {
      const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'editor');
      const target = await findVersion(req.em, project.id, params.n);
      const files = await storageFor(req.em, project).listFiles(target);
      // Based on the current version as loaded: a write landing meanwhile makes this a 409, like any stale edit.
      const input = { parentVersion: project.currentVersion ?? null, message: body?.message ?? `Roll back to version ${params.n}`, source: 'rollback' as const, authorId: req.auth!.userId };
      return mirrored(project, saveAudited(req, project, input, async () => files));
    },
  }),
  ];
};
