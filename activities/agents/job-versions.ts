import type { EntityManager } from '@mikro-orm/postgresql';
import type { FileHashes, FileSet } from '../../domain/agent-workflows';
import { AppError, ErrorCode } from '../../domain/errors';
import { Project } from '../../db/entities/index';
import { findVersion } from '../../db/repositories/versions';
import { storageFor } from '../storage/index';

/** The project's current version as path -> hash (empty for a project with no version yet). */
export async function loadVersionHashes(em: EntityManager, projectId: string): Promise<{ version: number | null; files: FileHashes }> {
  const project = await em.findOneOrFail(Project, projectId);
  if (project.currentVersion == null) return { version: null, files: {} };
  const version = await findVersion(em, projectId, project.currentVersion);
  const entries = await storageFor(em, project).listFiles(version);
  return { version: version.number, files: Object.fromEntries(entries.map((e) => [e.path, e.hash])) };
}

export interface SaveJobVersionInput {
  jobId: string;
  projectId: string;
  actorId: string;
  /** `files` only from runs before FileTree; otherwise the version's listing is read when a rebase needs it. */
  base: { version: number | null; files?: FileHashes };
  files: FileSet;
  message: string;
}

/** How the save reads file sets: the process's resolver (activities/agents/file-sets.ts). */
export interface FileSetReader {
  resolve: (files: FileSet) => Promise<FileHashes>;
  listVersion: (projectId: string, version: number | null) => Promise<FileHashes>;
}

/** Head moves tolerated while re-applying before giving up: each round is one compare-and-set. */
const MAX_REBASES = 5;

/**
 * Saves the job's result as one version, idempotent per job (key `job:<id>`). When the project moved
 * on since the job started, the job's own changes are re-applied on the new head; a path both changed
 * differently is a version_conflict, which fails the job without writing anything.
 */
export async function saveJobVersion(em: EntityManager, project: Project, input: SaveJobVersionInput, reader: FileSetReader): Promise<{ number: number }> {
  // A version_conflict (AppError) is a verdict: the activity boundary makes it non-retryable.
  return saveOrRebase(em, project, input, reader);
}

async function saveOrRebase(em: EntityManager, project: Project, input: SaveJobVersionInput, reader: FileSetReader): Promise<{ number: number }> {
  const storage = storageFor(em, project);
  const mine = await reader.resolve(input.files);
  let parent = input.base.version;
  let tree = mine;
  for (let round = 0; ; round++) {
    try {
      const saved = await storage.saveVersion({
        parentVersion: parent,
        message: input.message,
        source: 'ai_generation',
        authorId: input.actorId,
        files: Object.entries(tree).map(([path, hash]) => ({ path, hash })),
        idempotencyKey: `job:${input.jobId}`,
      });
      return { number: saved.version.number };
    } catch (err) {
      if (!(err instanceof AppError && err.code === ErrorCode.versionConflict) || round >= MAX_REBASES) throw err;
      const head = await loadVersionHashes(em, input.projectId);
      const base = input.base.files ?? (await reader.listVersion(input.projectId, input.base.version));
      tree = rebase(base, mine, head.files);
      parent = head.version;
    }
  }
}

/** The job's changes (base -> mine) applied onto `head`; throws when head changed the same path differently. */
export function rebase(base: FileHashes, mine: FileHashes, head: FileHashes): FileHashes {
  const merged: FileHashes = { ...head };
  const paths = new Set([...Object.keys(base), ...Object.keys(mine)]);
  const conflicts: string[] = [];
  for (const path of paths) {
    if (base[path] === mine[path]) continue; // the job did not touch it
    if (head[path] !== base[path] && head[path] !== mine[path]) conflicts.push(path);
    else if (mine[path] === undefined) delete merged[path];
    else merged[path] = mine[path];
  }
  if (conflicts.length > 0) {
    throw new AppError(ErrorCode.versionConflict, `The project changed while the job ran, and these files were changed on both sides: ${conflicts.join(', ')}`, { paths: conflicts });
  }
  return merged;
}
