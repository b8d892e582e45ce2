import { expect } from 'vitest';
import type { JobDto, SessionSettings } from '../../domain/agents';
import type { Config, WorkerConfig } from '../../domain/config';
import { TaskQueue } from '../../domain/task-queues';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { closeSessionSignal } from '../../workflows/session-signals';
import { appFiles } from '../../scripts/model-server/app-templates';
import { themeOf } from '../../scripts/model-server/app-theme';
import { createWorkerActivities, type WorkerActivities } from '../../worker/activities';
import type { WorkerBuild } from '../../worker/versioning';
import type { Tracing } from '../../telemetry/tracing';
import { endRunningWorkflows } from './leftover-workflows';
import { llmConfigFor, startModelServer, type ModelServer } from './model-server';
import { createProject, saveVersion } from './projects';
import { seedRoleMatrix } from './seed';
import { startTestApp, type TestApp } from './test-app';
import { openWorkerTestEnv, startTestWorkers, testWorkerConfig, uniqueTaskQueues, type RunningWorkers, type WorkerTestEnv } from './test-workers';

/**
 * Everything a codegen test drives, all real: the offline model server (scripted mode), an API on
 * an ephemeral port, agents + builds workers on queues of their own, the dev Temporal server and
 * the run's database. One per test file.
 */
export interface CodegenStack {
  app: TestApp;
  model: ModelServer;
  env: WorkerTestEnv;
  /** Absent with `{ workers: false }`: the test runs its own worker processes. */
  workers: RunningWorkers | undefined;
  /** TEMPORAL_TASK_QUEUE_PREFIX of this stack's API, for workers started elsewhere. */
  taskQueuePrefix: string;
  roles: Awaited<ReturnType<typeof seedRoleMatrix>>;
  /** Starts fresh workers (e.g. after killing the first ones). */
  restartWorkers: () => Promise<void>;
  /** Starts another set of workers on the stack's queues, e.g. as a Worker Deployment version; the caller stops them. */
  startWorkers: (build?: WorkerBuild) => Promise<RunningWorkers>;
  newProject: () => Promise<string>;
  /** Saves version 1 of a project without the model: the offline model's app for `request` (a todo list by default). */
  seedApp: (projectId: string, request?: string) => Promise<void>;
  startSession: (projectId: string, settings?: Partial<SessionSettings>) => Promise<string>;
  send: (sessionId: string, content: string) => Promise<JobDto>;
  /** Polls GET /jobs/:id until `until` holds (default: a terminal status). */
  waitForJob: (jobId: string, until?: (job: JobDto) => boolean, timeoutMs?: number) => Promise<JobDto>;
  close: () => Promise<void>;
}

export const isTerminal = (job: JobDto) => ['completed', 'failed', 'cancelled'].includes(job.status);

/**
 * A session whose one job runs to completion, then closed: every workflow of it has ended (its spans
 * exported, its histories final). Returns the session's handle and the job's id.
 */
export async function runClosedSession(stack: CodegenStack, content = 'Build a todo app where I can add and remove tasks') {
  const sessionId = await stack.startSession(await stack.newProject());
  const queued = await stack.send(sessionId, content);
  expect((await stack.waitForJob(queued.id)).status).toBe('completed');
  const session = stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId));
  await session.signal(closeSessionSignal);
  await session.result();
  return { session, jobId: queued.id };
}

export interface CodegenStackOptions {
  latencyMs?: number;
  tokenDelayMs?: number;
  llmTimeoutMs?: number;
  /** LLM_HISTORY_TOKENS of the workers: small to make a test condense older turns. */
  historyTokens?: number;
  /** A Temporal server of the test's own (default: the run's shared dev server). */
  temporalAddress?: string;
  /** false: no in-process workers (default true). */
  workers?: boolean;
  /** Worker config overrides (e.g. ENCRYPTION_KEY, shared with `app`). */
  worker?: Partial<Record<keyof WorkerConfig, string>>;
  /** Wraps the real activities, e.g. to make one fail the way a third party can. */
  wrapActivities?: (activities: WorkerActivities) => WorkerActivities;
  /** API config overrides, e.g. a small SESSION_MAX_TURNS or SESSION_IDLE_SECONDS. */
  app?: Partial<Record<keyof Config, string>>;
  /** Attach socket.io to the API (default false). */
  realtime?: boolean;
  /** Where the in-process workers send spans (default: tracing off). */
  tracing?: Tracing;
}

export async function startCodegenStack(options: CodegenStackOptions = {}): Promise<CodegenStack> {
  const model = await startModelServer({ latencyMs: options.latencyMs, tokenDelayMs: options.tokenDelayMs });
  const queues = uniqueTaskQueues();
  const prefix = queues.agents.slice(0, -TaskQueue.agents.length);
  const temporal = options.temporalAddress ? { TEMPORAL_ADDRESS: options.temporalAddress } : {};
  const app = await startTestApp({ ...options.app, TEMPORAL_TASK_QUEUE_PREFIX: prefix, ...temporal }, { realtime: options.realtime ?? false });
  const env = await openWorkerTestEnv(temporal);
  const config = { ...testWorkerConfig({ TEMPORAL_TASK_QUEUE_PREFIX: prefix, ...options.worker }), ...llmConfigFor(model, options.llmTimeoutMs ?? 5_000, options.historyTokens) };
  const wrap = options.wrapActivities ?? ((a: WorkerActivities) => a);
  const start = (build?: WorkerBuild) => startTestWorkers(env, { taskQueues: queues, activities: wrap(createWorkerActivities({ orm: env.orm, config })), build, tracing: options.tracing });
  const roles = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const token = roles.editor.token;

  const stack: CodegenStack = {
    app,
    model,
    env,
    workers: options.workers === false ? undefined : await start(),
    taskQueuePrefix: prefix,
    roles,
    restartWorkers: async () => {
      stack.workers = await start();
    },
    startWorkers: start,
    newProject: () => createProject(app, token, roles.orgId),
    seedApp: async (projectId, request = 'a todo list') => {
      const files = Object.entries(appFiles(themeOf(request))).map(([path, content]) => ({ path, content }));
      expect(await saveVersion(app, token, projectId, null, files)).toBe(1);
    },
    startSession: async (projectId, settings = {}) => {
      // Previews build with Vite and serve for 30 minutes: only the tests about them turn them on.
      const res = await app.call('POST', `/projects/${projectId}/sessions`, { token, body: { settings: { autoPreview: false, ...settings } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id;
    },
    send: async (sessionId, content) => {
      const res = await app.call('POST', `/sessions/${sessionId}/messages`, { token, body: { content } });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return res.body.job;
    },
    waitForJob: async (jobId, until = isTerminal, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await app.call('GET', `/jobs/${jobId}`, { token });
        expect(res.status).toBe(200);
        if (until(res.body)) return res.body;
        if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach the expected state: ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: async () => {
      await endRunningWorkflows(env.client, queues.agents);
      await stack.workers?.stop().catch(() => undefined);
      await Promise.allSettled([app.close(), model.close()]);
      await env.close();
    },
  };
  return stack;
}
