import { randomUUID } from 'node:crypto';
import { asyncLocalStorage, type Context } from '@temporalio/activity';
import { addUsage, emptyUsage, SessionSettings, type Usage } from '../../domain/agents';
import type { FileHashes } from '../../domain/agent-workflows';
import type { MikroORM } from '../../db/orm';
import type { WorkerConfig } from '../../domain/config';
import { createWorkerActivities } from '../../worker/activities';
import { recordQueuedJob } from '../../db/repositories/queued-jobs';
import { runBatch, type JobBatch } from './job-run';
import { jobPrompt } from './job-prompts';
import { stageClock } from './stage-times';
import type { BenchUser } from './temporal-jobs';

/**
 * The activities read Context.current() for their cancellation signal and heartbeat; outside a
 * worker there is none, so each call runs in a stand-in that never cancels and drops heartbeats.
 * (@temporalio/testing's MockActivityEnvironment does the same; it is not a dependency here.)
 */
const detached = () => ({
  info: { activityId: randomUUID(), workflowExecution: { workflowId: 'bench-in-process', runId: 'bench' } },
  cancellationSignal: new AbortController().signal,
  heartbeat: () => undefined,
});
const asActivity = <T>(call: () => Promise<T>): Promise<T> => asyncLocalStorage.run(detached() as unknown as Context, call);

/** At most `limit` calls at once across every job: the builds queue's slot count, per process. */
function slots(limit: number) {
  let busy = 0;
  const waiting: Array<() => void> = [];
  return async <T>(call: () => Promise<T>): Promise<T> => {
    if (busy >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else busy++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else busy--;
    }
  };
}

/**
 * The baseline: the same activity functions (built by the worker's own factory) in the order
 * workflows/codegen-job.ts calls them, with the same generate concurrency, the same fix loop and the
 * same cap on concurrent type checks, straight from this process. It does the same model calls, type
 * checks and version writes; what it leaves out is exactly the orchestration: the API, Temporal,
 * the session and job workflows, the job row and its durable events.
 */
export function createInProcessRunner(orm: MikroORM, config: WorkerConfig) {
  const { agents, builds } = createWorkerActivities({ orm, config });
  const settings = SessionSettings.parse({});
  const buildSlot = slots(config.WORKER_MAX_CONCURRENT_BUILDS);

  async function runJob(session: { id: string; projectId: string; organizationId: string }, actorId: string, request: string) {
    const jobId = randomUUID();
    const projectId = session.projectId;
    const { times, time } = stageClock();
    let usage: Usage = emptyUsage();
    // The job's row, as the API writes it: the model calls read the session's conversation through it.
    await time('accept', () => recordQueuedJob(orm.em.fork(), { jobId, organizationId: session.organizationId, projectId, sessionId: session.id, actorId, content: request }));
    const base = await time('intent', () => asActivity(() => agents.loadBase({ projectId })));
    const classified = await time('intent', () => asActivity(() => agents.classifyIntent({ jobId, request, files: base.files })));
    usage = addUsage(usage, classified.usage);
    if (classified.intent.kind === 'question') return { usage, stages: times };
    const planned = await time('plan', () => asActivity(() => agents.planChanges({ jobId, request, intent: classified.intent, files: base.files })));
    usage = addUsage(usage, planned.usage);
    const plan = planned.plan;
    const written = await time('generate', () => asActivity(() => agents.generateFiles({ jobId, projectId, request, plan, files: base.files, concurrency: settings.generateConcurrency })));
    usage = addUsage(usage, written.usage);
    let files: FileHashes = { ...base.files };
    for (const [path, hash] of Object.entries(written.files)) {
      if (hash === null) delete files[path];
      else files[path] = hash;
    }
    for (let round = 0; ; round++) {
      const checked = await time('check', () => buildSlot(() => asActivity(async () => builds.typeCheckFiles({ contents: await agents.readCheckFiles({ files }) }))));
      if (checked.ok) break;
      if (round >= settings.maxFixRounds) throw new Error(`check_failed: ${checked.diagnostics.length} type errors after ${round} fix rounds`);
      const fixed = await time('fix', () => asActivity(() => agents.fixFiles({ jobId, projectId, diagnostics: checked.diagnostics, files })));
      usage = addUsage(usage, fixed.usage);
      files = { ...files, ...fixed.files };
    }
    await time('save', () => asActivity(() => agents.saveJobVersion({ jobId, projectId, actorId, base, files, message: plan.message })));
    return { usage, stages: times };
  }

  /** `n` jobs at once, each in a session on a project of its own, both created before the clock starts. */
  return async function runInProcessJobs(user: BenchUser, n: number, tag: string): Promise<JobBatch> {
    const sessions = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const project = await user.client.projects.create(user.orgId, { name: `Bench ${tag} in-process ${i}` });
      return { ...(await user.client.sessions.create(project.id, { settings: { autoPreview: false } })), organizationId: user.orgId };
    }));
    return runBatch(n, async (i) => ({ ok: true, ...(await runJob(sessions[i]!, user.userId, jobPrompt(i))) }));
  };
}
