import type { EntityManager } from '@mikro-orm/postgresql';
import { emptyUsage } from '../../domain/agents';
import { topicFor } from '../../domain/events';
import { appendEvents } from './event-log';

export interface QueuedJob {
  jobId: string;
  organizationId: string;
  projectId: string;
  sessionId: string;
  actorId: string;
  content: string;
}

/**
 * The row of a message queued in its session (status `queued`) and its `message` event on the
 * session's topic, for messages a session workflow accepted as updates (the API admits its own in
 * one statement: api/quotas/quota-guard.ts). Both are keyed: the row by the job id, the event by
 * `job-created:<id>`, so a second write changes nothing.
 */
export async function recordQueuedJob(em: EntityManager, job: QueuedJob): Promise<void> {
  // Each half is idempotent on its own, so a write cut between them is completed by the next one.
  await insertQueuedJob(em, job);
  const { topic, events } = messageEvent(job);
  await appendEvents(em, topic, events);
}

async function insertQueuedJob(em: EntityManager, job: QueuedJob): Promise<void> {
  // em.execute, not getConnection().execute: inside a transaction it must run on that transaction.
  await em.execute(
    `insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
     values (?, now(), ?, ?, ?, ?, 'codegen', ?, 'queued', ?::jsonb) on conflict (id) do nothing`,
    [job.jobId, job.organizationId, job.projectId, job.sessionId, job.actorId, job.content, JSON.stringify(emptyUsage())],
  );
}

/** The `message` event of a queued job: the first durable event of its turn, on the session's topic. */
export const messageEvent = (job: Pick<QueuedJob, 'jobId' | 'sessionId' | 'actorId' | 'content'>) => ({
  topic: topicFor('session', job.sessionId),
  events: [{ type: 'message', data: { jobId: job.jobId, content: job.content, actorId: job.actorId }, key: `job-created:${job.jobId}` }],
});

/**
 * Ends `cancelled` the session's jobs still `queued` that its workflow never took: a message whose
 * signal failed after its row was written (the session had closed), or an API node that died in
 * between. `jobId`: just this one (the API's own compensation); absent: every one left (the session closing).
 */
export async function cancelUnqueuedJobs(em: EntityManager, sessionId: string, jobId?: string): Promise<string[]> {
  return em.transactional(async (tx) => {
    const rows = await tx.execute<Array<{ id: string }>>(
      `update agent_jobs set status = 'cancelled', finished_at = now()
        where session_id = ? and status = 'queued' ${jobId ? 'and id = ?' : ''} returning id`,
      jobId ? [sessionId, jobId] : [sessionId],
    );
    for (const { id } of rows) {
      // The same key as the session's own cancel of a queued message: whichever writes first, one event.
      await appendEvents(tx, topicFor('job', id), [{ type: 'job.finished', data: { status: 'cancelled', resultVersion: null, error: null }, key: `queue-cancelled:${id}` }]);
    }
    return rows.map((r) => r.id);
  });
}
