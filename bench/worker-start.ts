// `npm run bench bench/worker-start.ts`: how long a warm `npm run worker` takes to poll (goal <= 3 s).
// Starts the worker as run.sh and `npm start` do (its compiled entry; BENCH_WORKER_TSX=1: through
// tsx, as before scripts/stack/compiled-entry.ts), BENCH_ROUNDS times (default 5)
// after one unmeasured start that fills the caches (workflow bundle, tsx, Node's compile cache),
// against the shared dev Postgres and Temporal, and times spawn to the "worker polling" log line.
// Writes bench/results/worker-start.json.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { logsDir, repoRoot } from '../scripts/stack/paths';
import { serviceLaunch } from '../scripts/stack/compiled-entry';
import { spawnService } from '../scripts/stack/service-process';
import { createRunNamespace, finishRunNamespace } from '../scripts/stack/run-namespace';
import { createRunDatabase, provideSharedServers } from '../scripts/stack/shared-servers';
import { waitUntil } from '../scripts/stack/wait-until';
import { writeJson } from './codegen/bench-report';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const goalSeconds = 3;
const servers = await provideSharedServers();
const database = await createRunDatabase(servers.adminUrl, 'forge_bench_start');
const namespace = await createRunNamespace(servers.temporalAddress, 'bench');
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
  DATABASE_URL: database.url,
  TEMPORAL_ADDRESS: servers.temporalAddress,
  TEMPORAL_NAMESPACE: namespace,
  TEMPORAL_TASK_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 8)}-`,
  OPENAI_API_KEY: 'bench',
  WORKER_SET_CURRENT_VERSION: 'on',
};

/** Seconds from spawn to the worker's "worker polling" line; the worker is then stopped. */
async function startOnce(round: number): Promise<number> {
  const logFile = join(logsDir, `bench-worker-start-${round}.log`);
  rmSync(logFile, { force: true });
  const started = performance.now();
  const launch = process.env.BENCH_WORKER_TSX ? { command: process.execPath, args: ['--import', 'tsx', 'worker/main.ts'] } : await serviceLaunch('worker/main.ts');
  const worker = spawnService('worker', launch.command, launch.args, { cwd: repoRoot, env, logFile });
  try {
    await waitUntil('the worker to poll', async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"msg":"worker polling"'), { timeoutMs: 120_000, intervalMs: 20, failed: worker.exitReason });
    return (performance.now() - started) / 1000;
  } finally {
    await worker.stop();
  }
}

const seconds: number[] = [];
try {
  console.log(`[bench] first start (fills the caches, not counted): ${(await startOnce(0)).toFixed(2)} s`);
  for (let round = 1; round <= rounds; round++) {
    const s = await startOnce(round);
    seconds.push(s);
    console.log(`[bench] warm start ${round}: ${s.toFixed(2)} s (load average ${loadavg()[0]!.toFixed(1)})`);
  }
} finally {
  await finishRunNamespace(servers.temporalAddress, namespace);
  await database.drop();
  await servers.release();
}
const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
console.log(`[bench] warm worker start to polling: median ${median.toFixed(2)} s over ${rounds} (goal <= ${goalSeconds} s): ${median <= goalSeconds ? 'met' : 'missed'}`);
writeJson(join(repoRoot, 'bench/results/worker-start.json'), { at: new Date().toISOString(), cpus: cpus().length, rounds, seconds, medianSeconds: median, goalSeconds });
