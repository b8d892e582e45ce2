import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { jobWorkflowId } from '../../domain/workflow-ids';
import { isTerminal, startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { spawnBuilder, spawnWorker, type SpawnedWorker } from '../support/spawned-worker';
import { completedActivities, startedAttempts } from '../support/workflow-history';
import { waitUntil } from '../../scripts/stack/wait-until';

/**
 * A worker host dies mid-job (SIGKILL: no drain, no goodbye to the server). A fresh worker process
 * takes over: the job finishes with exactly one version, and no model call whose activity had
 * completed is made again. The job resumes once the new worker polls (a cached workflow bundle: a
 * few seconds) and the llmCall heartbeat timeout (6 s) has released the activity that was in flight.
 */

let stack: CodegenStack;
const workers: SpawnedWorker[] = [];
beforeAll(async () => {
  // ~8 ms per streamed token: a file takes about a second, so the kill lands mid-generation.
  stack = await startCodegenStack({ tokenDelayMs: 8, workers: false });
  // The type checks run on a builder of their own, which lives through the agents worker's crash.
  workers.push(await spawnBuilder({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix }));
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await stack?.close();
});

/** Files the job's generation activity has recorded as written (generated-files.ts). */
const filesWritten = async (jobId: string) => {
  const [row] = await stack.env.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from generated_files where job_id = ?', [jobId]);
  return Number(row!.n);
};

const startWorker = async (name: string) => {
  const worker = await spawnWorker({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE_PREFIX: stack.taskQueuePrefix,
    OPENAI_BASE_URL: stack.model.url,
    OPENAI_API_KEY: 'test-key',
    LLM_TIMEOUT_MS: '5000',
  }, name);
  workers.push(worker);
  return worker;
};

it('finishes a job after its worker is killed during generation, without repeating completed LLM calls', async () => {
  const first = await startWorker('worker-1');
  const projectId = await stack.newProject();
  // One file at a time: the kill finds some files written and one in flight.
  const sessionId = await stack.startSession(projectId, { generateConcurrency: 1 });
  const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
  const generating = await stack.waitForJob(queued.id, (j) => j.stage === 'generate' || isTerminal(j));
  expect(generating.stage).toBe('generate');
  // The second coder call starts only after the first file was written and recorded.
  await waitUntil('a second file in the works', async () => (stack.model.requests().byRole.coder ?? 0) >= 2, { intervalMs: 20, timeoutMs: 30_000 });

  await first.kill();
  const killedAt = Date.now();
  const atKill = stack.model.requests().byRole;
  const handle = stack.env.client.workflow.getHandle(jobWorkflowId(queued.id));
  const writtenAtKill = await filesWritten(queued.id);

  await startWorker('worker-2');
  const pollingMs = Date.now() - killedAt;
  // Resumed: the model is asked again (the call in flight at the kill, retried on the new worker).
  await waitUntil('the job to resume', async () => (stack.model.requests().byRole.coder ?? 0) > atKill.coder!, { intervalMs: 20, timeoutMs: 60_000 });
  const resumedMs = Date.now() - killedAt;
  const job = await stack.waitForJob(queued.id, isTerminal, 80_000);
  const after = stack.model.requests().byRole;
  console.info(`resumed ${resumedMs} ms and finished ${Date.now() - killedAt} ms after the kill (the new worker polled after ${pollingMs} ms); ` +
    `coder calls: ${atKill.coder} at the kill, ${after.coder} in all; ${writtenAtKill} of ${job.plan?.files.length} files written before`);

  expect(job.error).toBeNull();
  expect(job.status).toBe('completed');
  expect(job.resultVersion).toBe(1);
  const planned = job.plan!.files.length;
  expect(writtenAtKill).toBeGreaterThanOrEqual(1);
  expect(writtenAtKill).toBeLessThan(planned);

  // Router and planner had answered before the kill: not asked again.
  expect(atKill).toMatchObject({ router: 1, planner: 1 });
  expect(after).toMatchObject({ router: 1, planner: 1 });
  // Each file not yet written at the kill is asked for exactly once more; a written one never again.
  expect(after.coder! - atKill.coder!).toBe(planned - writtenAtKill);
  // One generation activity, retried once on the new worker; its records are gone with the job.
  const history = await handle.fetchHistory();
  expect(completedActivities(history, 'generateFiles')).toBe(1);
  expect(startedAttempts(history, 'generateFiles')).toEqual([2]);
  expect(await filesWritten(queued.id)).toBe(0);

  const versions = await stack.app.call('GET', `/projects/${projectId}/versions`, { token: stack.roles.viewer.token });
  expect(versions.body.items.map((v: { number: number }) => v.number)).toEqual([1]);
  // The job's durable events were written once each, even across the crash.
  const events = await stack.app.call('GET', `/topics/job:${job.id}/events?afterSeq=0`, { token: stack.roles.viewer.token });
  const types: string[] = events.body.items.map((e: { type: string }) => e.type);
  expect(types.filter((t) => t === 'version.saved')).toHaveLength(1);
  expect(types.filter((t) => t === 'job.finished')).toHaveLength(1);
  expect(events.body.items.filter((e: { type: string; data: { stage?: string } }) => e.type === 'job.stage' && e.data.stage === 'generate')).toHaveLength(1);
  expect(events.body.items.map((e: { seq: number }) => e.seq)).toEqual(types.map((_, i) => i + 1));
}, 150_000);
