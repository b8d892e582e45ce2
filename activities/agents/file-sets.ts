import type { MikroORM } from '@mikro-orm/postgresql';
import { isFileTree, type FileHashes, type FileSet } from '../../domain/agent-workflows';
import { Project } from '../../db/entities/index';
import { findVersion } from '../../db/repositories/versions';
import { storageFor } from '../storage/index';

/** Listings kept per process: a version is immutable, so an entry is never stale, only evicted. */
const CACHED_VERSIONS = 200;

export type ResolveFiles = (files: FileSet) => Promise<FileHashes>;

/**
 * Turns what a workflow passed (a FileTree reference, or a whole map from an older run) into the
 * path -> hash map. Every generateFile of a job resolves the same base version, so the listing is
 * read once per process, not once per activity.
 */
export function createFileSetResolver(orm: MikroORM): { resolve: ResolveFiles; listVersion: (projectId: string, version: number | null) => Promise<FileHashes> } {
  const listings = new Map<string, Promise<FileHashes>>();

  const read = async (projectId: string, version: number): Promise<FileHashes> => {
    const em = orm.em.fork();
    const project = await em.findOneOrFail(Project, projectId);
    const entries = await storageFor(em, project).listFiles(await findVersion(em, projectId, version));
    return Object.fromEntries(entries.map((e) => [e.path, e.hash]));
  };

  const listVersion = (projectId: string, version: number | null): Promise<FileHashes> => {
    if (version === null) return Promise.resolve({});
    const key = `${projectId}:${version}`;
    let listing = listings.get(key);
    if (!listing) {
      listing = read(projectId, version);
      // A failed read (a dropped connection) must not be cached: the activity's retry reads again.
      listing.catch(() => listings.delete(key));
      listings.set(key, listing);
      if (listings.size > CACHED_VERSIONS) listings.delete(listings.keys().next().value!);
    }
    return listing;
  };

  const resolve: ResolveFiles = async (files) => {
    if (!isFileTree(files)) return files;
    const resolved: FileHashes = { ...(await listVersion(files.projectId, files.baseVersion)) };
    for (const [path, hash] of Object.entries(files.changes)) {
      if (hash === null) delete resolved[path];
      else resolved[path] = hash;
    }
    return resolved;
  };
  return { resolve, listVersion };
}
