import type { EntityManager } from '@mikro-orm/postgresql';
import type { Project } from '../../db/entities/index';
import { InternalStorage } from './internal-storage';
import type { StorageBackend } from './storage-backend';

/** The storage backend a project is configured with, working on `em` (a request's or an activity's fork). */
export function storageFor(em: EntityManager, project: Project): StorageBackend {
  switch (project.storageBackend) {
    case 'internal':
      return new InternalStorage(em, project);
  }
}
