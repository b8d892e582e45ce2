import type { MikroORM } from '@mikro-orm/postgresql';
import { Project } from '../../db/entities/index';
import { createGithubActivities } from './github-activities';

/**
 * Before a job reads its base version: a GitHub project whose branch moved since the last webhook
 * or poll imports the new head first, so the job works on it. Best effort (one call when nothing
 * moved): GitHub being slow or down must not stop a job, which then works on the head Forge has.
 */
export function createGithubHeadSync(deps: { orm: MikroORM; config: { ENCRYPTION_KEY?: string } }) {
  const github = createGithubActivities(deps);
  return async (projectId: string): Promise<void> => {
    const project = await deps.orm.em.fork().findOne(Project, projectId, { fields: ['storageBackend'] });
    if (project?.storageBackend !== 'github') return;
    await github.importGithubBranch({ projectId, source: 'external' }).catch(() => undefined);
  };
}
