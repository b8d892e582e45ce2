import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { DeploymentDto } from '../../domain/deployments';
import type { PreviewDto } from '../../domain/previews';
import type { WorkerConfig } from '../../domain/config';
import { TaskQueue } from '../../domain/task-queues';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { createWorkerActivities } from '../../worker/activities';
import { endRunningWorkflows } from './leftover-workflows';
import { createProject, saveVersion, type FileInput } from './projects';
import { seedRoleMatrix } from './seed';
import { startTestApp, type TestApp } from './test-app';
import { openWorkerTestEnv, startTestWorkers, testWorkerConfig, uniqueTaskQueues, type RunningWorkers, type WorkerTestEnv } from './test-workers';

/**
 * What a preview or deployment test drives, all real: the API, agents + builds workers on queues
 * of their own, the dev Temporal server, the run's database, and a builds directory of its own
 * (so the reaper of one test file never sees another's servers). The dependency cache is the
 * provisioned toolchain, as in production. One per test file.
 */
export interface DeliveryStack {
  app: TestApp;
  env: WorkerTestEnv;
  workers: RunningWorkers | null;
  roles: Awaited<ReturnType<typeof seedRoleMatrix>>;
  config: WorkerConfig;
  /** What a builder process of the test's own needs (spawnBuilder): Temporal, queues, builds directory. */
  builderEnv: Record<string, string>;
  /** The agents queue the API starts workflows on. */
  agentsQueue: string;
  buildsDir: string;
  encryptionKey: string;
  /** A new project of the roles' organization with `files` as version 1. */
  newProject: (files: FileInput[]) => Promise<{ projectId: string; version: number }>;
  addVersion: (projectId: string, parent: number, files: FileInput[]) => Promise<number>;
  restartWorkers: () => Promise<void>;
  waitForPreview: (id: string, until: (p: PreviewDto) => boolean, timeoutMs?: number) => Promise<PreviewDto>;
  waitForDeployment: (id: string, until: (d: DeploymentDto) => boolean, timeoutMs?: number) => Promise<DeploymentDto>;
  close: () => Promise<void>;
}

export const previewEnded = (p: PreviewDto) => p.status === 'live' || p.status === 'failed' || p.status === 'destroyed';
export const deploymentSettled = (d: DeploymentDto) => ['live', 'failed', 'rolled_back'].includes(d.status);

export interface DeliveryStackOptions {
  config?: Partial<Record<keyof WorkerConfig, string>>;
  /** false: the agents worker only in this process; the test runs builder processes of its own (spawnBuilder). */
  inProcessBuilder?: boolean;
}

export async function startDeliveryStack(options: DeliveryStackOptions = {}): Promise<DeliveryStack> {
  const queues = uniqueTaskQueues();
  const prefix = queues.agents.slice(0, -TaskQueue.agents.length);
  const encryptionKey = randomBytes(32).toString('base64');
  const buildsDir = await mkdtemp(join(tmpdir(), 'forge-builds-'));
  const shared = { TEMPORAL_TASK_QUEUE_PREFIX: prefix, ENCRYPTION_KEY: encryptionKey };
  const app = await startTestApp(shared);
  const env = await openWorkerTestEnv();
  const config = testWorkerConfig({ ...shared, BUILDS_DIR: buildsDir, BUILD_TOOLCHAIN_DIR: resolve('.tools/check-deps'), ...options.config });
  const only = options.inProcessBuilder === false ? ('agents' as const) : undefined;
  const start = () => startTestWorkers(env, { taskQueues: queues, activities: createWorkerActivities({ orm: env.orm, config }), only });
  const roles = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const token = roles.editor.token;

  const poll = async <T>(path: string, until: (body: T) => boolean, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await app.call('GET', path, { token });
      // 404 until a workflow started without the API has recorded its row.
      if (res.status !== 404) expect(res.status, JSON.stringify(res.body)).toBe(200);
      if (res.status === 200 && until(res.body)) return res.body;
      if (Date.now() > deadline) throw new Error(`${path} did not reach the expected state: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stack: DeliveryStack = {
    app,
    env,
    workers: await start(),
    roles,
    config,
    agentsQueue: queues.agents,
    builderEnv: { TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE_PREFIX: prefix, BUILDS_DIR: buildsDir, BUILD_TOOLCHAIN_DIR: config.BUILD_TOOLCHAIN_DIR, WORKER_SHUTDOWN_GRACE_MS: '0', WORKER_VERSIONING: 'off', ...options.config },
    buildsDir,
    encryptionKey,
    newProject: async (files) => {
      const projectId = await createProject(app, token, roles.orgId);
      return { projectId, version: await saveVersion(app, token, projectId, null, files) };
    },
    addVersion: (projectId, parent, files) => saveVersion(app, token, projectId, parent, files),
    restartWorkers: async () => {
      stack.workers = await start();
    },
    waitForPreview: (id, until, timeoutMs = 150_000) => poll(`/previews/${id}`, until, timeoutMs),
    waitForDeployment: (id, until, timeoutMs = 150_000) => poll(`/deployments/${id}`, until, timeoutMs),
    close: async () => {
      await endRunningWorkflows(env.client, queues.agents);
      await stack.workers?.stop().catch(() => undefined);
      // Whatever a failed test left serving: stop it, so no server outlives the run.
      const local = createLocalProvider({ dir: join(buildsDir, 'local-servers'), sandbox: 'none', memoryMb: 64 });
      for (const resource of await local.list()) await local.remove(resource);
      await app.close();
      await env.close();
      await rm(buildsDir, { recursive: true, force: true });
    },
  };
  return stack;
}
