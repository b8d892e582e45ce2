import type { MikroORM } from '@mikro-orm/postgresql';
import { Project } from '../../db/entities/index';
import { findVersion } from '../../db/repositories/versions';
import type { LoadVersionFiles } from '../builds/materialize';
import { storageFor } from '../storage/index';

/** A version's files from the project's storage backend, on a fresh EntityManager fork. */
export const versionFilesFrom = (orm: MikroORM): LoadVersionFiles => async (projectId, version) => {
  const em = orm.em.fork();
  const project = await em.findOneOrFail(Project, projectId);
  const files = await storageFor(em, project).getFiles(await findVersion(em, projectId, version));
  return files.map(({ path, content }) => ({ path, content }));
};
