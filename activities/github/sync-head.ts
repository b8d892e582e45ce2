import type { MikroORM } from '@mikro-orm/postgresql';
import type { Project } from '../../db/entities/index';
import { createGithubActivities } from './github-activities';

/**
 * Before a job reads its base version: a GitHub project whose branch moved since the last webhook
 * or poll imports the new head first, so the job works on it. Best effort (one call when nothing
 * moved): GitHub being slow or down must not stop a job, which then works on the head Forge has.
 */
export function createGithubHeadSync(deps: { orm: MikroORM; config: { ENCRYPTION_KEY?: string } }) {
  const github = createGithubActivities(deps);
  /** Takes the project as the caller read it (its backend decides); true when a GitHub head was brought in. */
  return async (project: Pick<Project, 'id' | 'storageBackend'>): Promise<boolean> => {
    if (project.storageBackend !== 'github') return false;
    await github.importGithubBranch({ projectId: project.id, source: 'external' }).catch(() => undefined);
    return true;
  };
}
