import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { AgentJob, AgentSession, type Project } from '../../db/entities/index';
import { startGithubCommit } from './start-commit';

/**
 * A job's saved version on a GitHub project: started from the save activity with the worker's
 * client (the job workflow's commands stay as they are); the commit workflow's id makes a retried
 * save start it once.
 */
export async function mirrorJobVersion(orm: MikroORM, project: Project, jobId: string, number: number): Promise<void> {
  if (project.storageBackend !== 'github') return;
  const em = orm.em.fork();
  const job = await em.findOneOrFail(AgentJob, jobId);
  const session = await em.findOneOrFail(AgentSession, job.sessionId);
  const context = Context.current();
  await startGithubCommit(context.client, context.info.taskQueue, project, { number, jobId, pullRequest: session.settings.githubPullRequests ?? false });
}
