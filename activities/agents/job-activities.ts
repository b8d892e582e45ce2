import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { EventDraft, FileHashes, JobPatch } from '../../domain/agent-workflows';
import { topicFor } from '../../domain/events';
import { AgentSession, Project } from '../../db/entities/index';
import { appendEvents, appendEventsCall } from '../../db/repositories/event-log';
import { writeAudit } from '../../db/repositories/audit';
import { applyJobPatch, endsRun } from '../../db/repositories/job-reports';
import { cancelUnqueuedJobs, recordQueuedJob } from '../../db/repositories/queued-jobs';
import { createFileSetResolver } from './file-sets';
import { recordTranscript, transcribes } from '../../db/repositories/transcript';
import { forgetGenerated } from '../../db/repositories/generated-files';
import { mirrorJobVersion } from '../github/mirror-job-version';
import { loadVersionHashes, saveJobVersion, type SaveJobVersionInput } from './job-versions';

/**
 * The job's bookkeeping in Postgres. Every activity is idempotent: rows are keyed by ids the
 * workflow chose, events by keys the workflow derived, so a retry changes nothing twice.
 */
export function createJobActivities({ orm, fileSets = createFileSetResolver(orm), syncHead = async () => false }: {
  orm: MikroORM;
  fileSets?: ReturnType<typeof createFileSetResolver>;
  /** Brings a GitHub project's branch head in first (activities/github/sync-head.ts). */
  syncHead?: (project: Pick<Project, 'id' | 'storageBackend'>) => Promise<boolean>;
}) {
  return {
    /** Records the job row (and `message` event) for a message the session accepted; idempotent. */
    async createJob(input: { jobId: string; sessionId: string; projectId: string; content: string; actorId: string }) {
      const em = orm.em.fork();
      const session = await em.findOneOrFail(AgentSession, input.sessionId, { fields: ['organizationId'] });
      await recordQueuedJob(em, { ...input, organizationId: session.organizationId });
    },

    /**
     * Applies a patch to the job row and appends its events, atomically: one statement updates the
     * row (with the reopen / startedAt / finishedAt-once rules, db/repositories/job-reports.ts) and
     * appends the events, and returns what the rest needs, so no entity is loaded and nothing waits
     * for a flush. Most reports (a stage's progress) are that statement alone; the transcript and a
     * run's end add their writes in one transaction with it.
     */
    async reportJob({ jobId, patch, events }: { jobId: string; patch: JobPatch; events: EventDraft[] }) {
      const append = events.length > 0 ? appendEventsCall(topicFor('job', jobId), events) : undefined;
      if (!endsRun(patch) && !transcribes(events)) {
        await applyJobPatch(orm.em.fork(), jobId, patch, new Date(), append);
        return;
      }
      await orm.em.fork().transactional(async (em) => {
        const { job, finished } = await applyJobPatch(em, jobId, patch, new Date(), append);
        // Once per run: a retried terminal report finds finishedAt already set (retry clears it).
        if (finished) {
          await forgetGenerated(em, jobId);
          if (patch.usage) await recountSessionUsage(em, job.sessionId);
          await writeAudit(em, {
            actorId: null,
            organizationId: job.organizationId,
            action: `job.${patch.status}`,
            targetType: 'job',
            targetId: job.id,
            details: { resultVersion: patch.resultVersion ?? null, error: patch.error?.code ?? null },
          });
        }
        await recordTranscript(em, job, events);
      });
    },

    /** The version a job starts from: the project's current head (null for an empty project). */
    async loadBase({ projectId }: { projectId: string }): Promise<{ version: number | null; files: FileHashes }> {
      await syncHead(await orm.em.fork().findOneOrFail(Project, projectId, { fields: ['storageBackend'] }));
      return loadVersionHashes(orm.em.fork(), projectId);
    },

    /** The version a job starts from, by number only: the job refers to its files (FileTree), never copies them. */
    async loadBaseVersion({ projectId }: { projectId: string }): Promise<{ version: number | null }> {
      const read = () => orm.em.fork().findOneOrFail(Project, projectId, { fields: ['currentVersion', 'storageBackend'] });
      const project = await read();
      // One read serves an internal project; a GitHub one is read again after its head came in.
      return { version: ((await syncHead(project)) ? await read() : project).currentVersion ?? null };
    },

    /** Saves the job's version; a GitHub project's then becomes a commit (or a pull request, per session setting). */
    async saveJobVersion(input: SaveJobVersionInput) {
      const em = orm.em.fork();
      // Read once for both: the save's storage backend and whether the version is mirrored to GitHub.
      const project = await em.findOneOrFail(Project, input.projectId);
      const saved = await saveJobVersion(em, project, input, fileSets);
      await mirrorJobVersion(orm, project, input.jobId, saved.number);
      return saved;
    },

    /** Marks the session closed; a job row still `queued` then is one its workflow never took: it ends cancelled. */
    async closeSession({ sessionId }: { sessionId: string }) {
      const em = orm.em.fork();
      await em.nativeUpdate(AgentSession, { id: sessionId }, { status: 'closed' });
      await cancelUnqueuedJobs(em, sessionId);
      await appendEvents(em, topicFor('session', sessionId), [{ type: 'session.closed', data: {}, key: `session-closed:${sessionId}` }]);
    },
  };
}

/**
 * The session's usage is the sum over its jobs, recomputed when one finishes: a retried job carries
 * its earlier runs' usage forward, so adding each finish would count those runs twice.
 */
async function recountSessionUsage(em: EntityManager, sessionId: string) {
  // On the report's transaction (em.execute): another connection would not see this job's usage yet.
  await em.execute(
    `update agent_sessions set usage = (
       select jsonb_build_object(
         'promptTokens', coalesce(sum((usage->>'promptTokens')::int), 0),
         'completionTokens', coalesce(sum((usage->>'completionTokens')::int), 0),
         'calls', coalesce(sum((usage->>'calls')::int), 0))
       from agent_jobs where session_id = ?) where id = ?`,
    [sessionId, sessionId],
    'run',
    em.getTransactionContext(),
  );
}
