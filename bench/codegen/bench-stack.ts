import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initOrm, type MikroORM } from '../../db/orm';
import { parseWorkerConfig, type WorkerConfig } from '../../domain/config';
import { startModelServer, type ModelServer } from '../../scripts/model-server/server';
import { logsDir, repoRoot } from '../../scripts/stack/paths';
import { freePort, loopback } from '../../scripts/stack/ports';
import { builderLaunch } from '../../scripts/stack/builder-launch';
import { serviceLaunch } from '../../scripts/stack/compiled-entry';
import { spawnService, type ServiceProcess } from '../../scripts/stack/service-process';
import { createRunNamespace, finishRunNamespace } from '../../scripts/stack/run-namespace';
import { createRunDatabase, provideSharedServers } from '../../scripts/stack/shared-servers';
import { waitUntil } from '../../scripts/stack/wait-until';

/** The process listening on a local TCP port (the Temporal server, whoever started it), if ss can tell. */
export function listenerPid(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Number(/pid=(\d+)/.exec(out)?.[1]) || undefined;
  } catch {
    return undefined;
  }
}

const readLog = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

export interface BenchStack {
  /** The API's origin (REST under /api/v1). */
  apiOrigin: string;
  /** The services' processes, for CPU and memory sampling; the builder's is bwrap, with its node process and type checks beneath it. */
  readonly pids: { api: number; worker: number; builder: number };
  /** Replaces the builder with one started with `env` added (e.g. BUILD_SANDBOX=none); resolves once it polls. */
  restartBuilder: (env?: Record<string, string>) => Promise<void>;
  model: ModelServer;
  /** The Temporal server's pid when it runs on this machine, for CPU accounting. */
  temporalPid?: number;
  /** Where the services' workflows run: the server and the run's own namespace. */
  temporal: { address: string; namespace: string };
  /** PostgreSQL's postmaster (its backends beneath it), which both paths use, for CPU accounting. */
  postgresPid?: number;
  /** The bench's own ORM and worker config, for the in-process baseline on the same database. */
  orm: MikroORM;
  workerConfig: WorkerConfig;
  close: () => Promise<void>;
}

/**
 * Everything the benchmark measures, all real and all fresh: a database migrated from empty on the
 * shared Postgres, the dev Temporal server, the offline model server in this process at a fixed
 * latency, and the API, a worker and a builder as child processes (`api/main.ts`, `worker/main.ts`,
 * `worker/builder-main.ts` started as `npm start` does, exactly what production runs), on task queues
 * of their own. Child output goes to .data/logs/bench-*.log.
 */
/** `workerEnv` adds settings for the worker and the builder (and the in-process config), e.g. BUILDS_DIR. */
export async function startBenchStack(options: { latencyMs: number; workerEnv?: Record<string, string> }): Promise<BenchStack> {
  const servers = await provideSharedServers();
  const database = await createRunDatabase(servers.adminUrl, 'forge_bench');
  const model = await startModelServer({ port: 0, latencyMs: options.latencyMs });
  const port = await freePort();
  const namespace = await createRunNamespace(servers.temporalAddress, 'bench');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // setup.sh writes dev secrets to .data/dev.env (run.sh exports them); a bare run gets throwaway ones.
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 8)}-`,
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: 'bench',
    HOST: loopback,
    PORT: String(port),
    // 50 jobs at once from one organization: the quotas of a real tenant would refuse most of them.
    QUOTA_CONCURRENT_JOBS: '1000',
    QUOTA_MESSAGES_PER_MINUTE: '10000',
    // Production mode leaves promoting a build to the operator; the bench's worker is its own rollout.
    WORKER_SET_CURRENT_VERSION: 'on',
  };
  const children: ServiceProcess[] = [];
  const child = async (name: string, entry: string, extra: Record<string, string> = {}) => {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the API and the worker.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const launch = await serviceLaunch(entry);
    const started = spawnService(name, launch.command, [...nodeArgs, ...launch.args], { cwd: repoRoot, env: { ...env, ...extra }, logFile: join(logsDir, `bench-${name}.log`) });
    children.push(started);
    return started;
  };
  const close = async () => {
    await Promise.allSettled(children.map((c) => c.stop()));
    await Promise.allSettled([model.close(), database.drop(), finishRunNamespace(servers.temporalAddress, namespace)]);
    await servers.release();
  };

  const builderLog = join(logsDir, 'bench-builder.log');
  let builder: ServiceProcess | undefined;
  const restartBuilder = async (extra: Record<string, string> = {}) => {
    if (builder) {
      await builder.stop();
      children.splice(children.indexOf(builder), 1);
    }
    const launch = builderLaunch({ ...env, ...options.workerEnv, LOG_LEVEL: 'info', ...extra }, repoRoot);
    const started = spawnService('builder', launch.command, launch.args, { cwd: repoRoot, env: launch.env, logFile: builderLog });
    children.push((builder = started));
    const before = readLog(builderLog).split('"msg":"builder polling"').length;
    await waitUntil('the bench builder', async () => readLog(builderLog).split('"msg":"builder polling"').length > before, { timeoutMs: 90_000, failed: started.exitReason });
  };

  try {
    const api = await child('api', 'api/main.ts');
    const worker = await child('worker', 'worker/main.ts', options.workerEnv);
    await restartBuilder();
    const apiOrigin = `http://${loopback}:${port}`;
    await waitUntil('the bench API', async () => (await fetch(`${apiOrigin}/api/v1/health`)).ok, { timeoutMs: 90_000, failed: api.exitReason });
    const workerConfig = parseWorkerConfig({ ...env, ...options.workerEnv });
    const orm = await initOrm(database.url);
    return {
      apiOrigin,
      get pids() {
        return { api: api.pid, worker: worker.pid, builder: builder!.pid };
      },
      restartBuilder,
      temporalPid: listenerPid(Number(servers.temporalAddress.split(':').at(-1))),
      temporal: { address: servers.temporalAddress, namespace },
      postgresPid: listenerPid(Number(new URL(database.url).port)),
      model,
      orm,
      workerConfig,
      close: async () => {
        await orm.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
