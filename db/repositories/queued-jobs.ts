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
 * session's topic. Written twice by design: by the API right after the session's signal (so the
 * first durable event reaches clients at once) and by the session workflow before it runs the job
 * (so a crash of that API node between the two loses nothing). Both are keyed: the row by the job
 * id, the event by `job-created:<id>`, so the second write changes nothing.
 */
export async function recordQueuedJob(em: EntityManager, job: QueuedJob): Promise<void> {
  // Each half is idempotent on its own, so a write cut between them is completed by the next one.
  await em.getConnection().execute(
    `insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
     values (?, now(), ?, ?, ?, ?, 'codegen', ?, 'queued', ?::jsonb) on conflict (id) do nothing`,
    [job.jobId, job.organizationId, job.projectId, job.sessionId, job.actorId, job.content, JSON.stringify(emptyUsage())],
  );
  await appendEvents(em, topicFor('session', job.sessionId), [
    { type: 'message', data: { jobId: job.jobId, content: job.content, actorId: job.actorId }, key: `job-created:${job.jobId}` },
  ]);
}
