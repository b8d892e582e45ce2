import type { EntityManager } from '@mikro-orm/postgresql';
import type { Project } from '../../db/entities/index';
import { InternalStorage } from './internal-storage';
import type { StorageBackend } from './storage-backend';

/** The storage backend a project is configured with, working on `em` (a request's or an activity's fork). */
export function storageFor(em: EntityManager, project: Project): StorageBackend {
  switch (project.storageBackend) {
    // GitHub projects keep their files in Postgres too; each version is then mirrored as one
    // commit by githubCommitWorkflow (activities/github/), which holds the credentials.
    case 'internal':
    case 'github':
      return new InternalStorage(em, project);
  }
}
