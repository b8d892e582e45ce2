import { createForgeClient, type ForgeClient } from '../../client/index';
import type { StoredEvent } from '../../domain/events';
import { runBatch, type JobBatch } from './job-run';
import { jobPrompt } from './job-prompts';
import { stagesFromEvents } from './stage-times';

export interface BenchUser {
  client: ForgeClient;
  orgId: string;
  userId: string;
}

/** One account for the whole run, signed up through the API like any client. */
export async function signUpBenchUser(apiOrigin: string): Promise<BenchUser> {
  const client = createForgeClient({ baseUrl: apiOrigin });
  const stamp = Date.now().toString(36);
  const signed = await client.auth.signup({ email: `bench-${stamp}@example.com`, password: `bench-${stamp}-password`, name: 'Bench', organizationName: 'Bench' });
  return { client, orgId: signed.organization.id, userId: signed.user.id };
}

/** The job's events up to `job.finished`, delivered by the live connection (no polling). */
function untilFinished(client: ForgeClient, jobId: string, timeoutMs: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`job ${jobId} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    const watch = client.watch(`job:${jobId}`, {
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'job.finished') done();
      },
      onError: (error) => done(error),
    });
    function done(error?: Error) {
      clearTimeout(timer);
      watch.close();
      if (error) reject(error);
      else resolve(events);
    }
  });
}

/**
 * `n` jobs through the product's front door, all at once: each its own project and session
 * (created before the clock starts), then one message; a job's wall time runs from sending the
 * message to receiving its `job.finished` event, so it includes the API, the session update, the
 * child workflow, every activity and the event relay.
 */
export async function runTemporalJobs(user: BenchUser, n: number, tag: string, timeoutMs: number): Promise<JobBatch> {
  const { client, orgId } = user;
  const sessions = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const project = await client.projects.create(orgId, { name: `Bench ${tag} temporal ${i}` });
    // No preview per saved version: the in-process baseline builds none, and a preview's vite build
    // would bill its CPU to orchestration (and run on into the next level).
    return (await client.sessions.create(project.id, { settings: { autoPreview: false } })).id;
  }));
  const batch = await runBatch(n, async (i) => {
    const sentAt = Date.now();
    const queued = await client.sessions.sendMessage(sessions[i]!, jobPrompt(i));
    const events = await untilFinished(client, queued.id, timeoutMs);
    const finished = events.at(-1)!.data as { status: string; error: { code: string; message: string } | null };
    return {
      jobId: queued.id,
      ok: finished.status === 'completed',
      error: finished.error ? `${finished.error.code}: ${finished.error.message}` : undefined,
      stages: stagesFromEvents(events, sentAt, Date.now()),
    };
  });
  // Usage is read after the clock stops: it is what the job row recorded, not part of the job's time.
  for (const run of batch.runs) if (run.jobId) run.usage = (await client.jobs.get(run.jobId)).usage;
  return batch;
}
