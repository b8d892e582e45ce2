// `npm run bench bench/temporal-floor.ts`: what Temporal alone costs a codegen job on this machine.
// Runs the job's command sequence with nothing inside (bench/temporal-floor/workflows.ts: a session
// signalled, its child job, three activities and one on a builds queue, five local activities) at 1, 10
// and 50 at once, on the shared dev server, with the worker and the client in this process; prints
// wall time and CPU per job (server, and this process: the SDK's worker and client) and sets them
// beside the in-process codegen job of the last `npm run bench:codegen` (its results file), since no
// Temporal path can cost less than this floor. Writes bench/results/temporal-floor.json.
// BENCH_LEVELS (default "1,10,50"); a level of 1 runs BENCH_SINGLE_ROUNDS times (default 5).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { repoRoot } from '../scripts/stack/paths';
import { createRunNamespace, finishRunNamespace } from '../scripts/stack/run-namespace';
import { provideSharedServers } from '../scripts/stack/shared-servers';
import { writeJson } from './codegen/bench-report';
import { listenerPid } from './codegen/bench-stack';
import { median } from './codegen/job-run';
import { measureCpu, waitUntilQuiet } from './codegen/cpu-usage';
import type { FloorActivities } from './temporal-floor/workflows';

const levels = (process.env.BENCH_LEVELS ?? '1,10,50').split(',').filter(Boolean).map(Number);
const singleRounds = Number(process.env.BENCH_SINGLE_ROUNDS ?? 5);
const resultsPath = join(repoRoot, 'bench/results/temporal-floor.json');
const codegenResultsPath = join(repoRoot, 'bench/results/codegen-throughput.json');
const say = (line: string) => console.log(`[bench] ${line}`);

const servers = await provideSharedServers();
const namespace = await createRunNamespace(servers.temporalAddress, 'bench');
const serverPid = listenerPid(Number(servers.temporalAddress.split(':').at(-1)));
if (!serverPid) throw new Error(`No local process listens on ${servers.temporalAddress}: the floor needs the server's CPU time`);
const queue = `floor-${randomUUID().slice(0, 8)}`;
const buildsQueue = `${queue}-builds`;
const activities: FloorActivities = { step: async () => undefined };
const logger = new DefaultLogger('WARN');
Runtime.install({ logger });
const native = await NativeConnection.connect({ address: servers.temporalAddress });
const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./temporal-floor/workflows.ts', import.meta.url)), logger });
const workers = [
  await Worker.create({ connection: native, namespace, taskQueue: queue, workflowBundle, activities }),
  await Worker.create({ connection: native, namespace, taskQueue: buildsQueue, activities }),
];
const running = Promise.all(workers.map((w) => w.run()));
const connection = await Connection.connect({ address: servers.temporalAddress });
const client = new Client({ connection, namespace });

/** `n` sessions started and idle first; then the clock runs from signalling each to its end (the job is its child). */
async function runJobs(n: number) {
  const handles = await Promise.all(Array.from({ length: n }, () =>
    client.workflow.start('floorSession', { taskQueue: queue, workflowId: `floor-${randomUUID()}`, args: [buildsQueue] })));
  const quiet = await waitUntilQuiet(serverPid!);
  const cpu = measureCpu({ server: serverPid!, sdk: process.pid });
  const started = performance.now();
  const walls = await Promise.all(handles.map(async (handle) => {
    const sent = performance.now();
    await handle.signal('message');
    await handle.result();
    return performance.now() - sent;
  }));
  return { walls, totalWallMs: performance.now() - started, cpu: cpu.stop(), quietPct: quiet.busyPct };
}

const roundTo3 = (x: number) => Math.round(x * 1000) / 1000;
const results = [];
try {
  await runJobs(1); // warm-up: workflow bundle, JIT, the queues' first polls
  for (const n of levels) {
    const runs: Array<Awaited<ReturnType<typeof runJobs>>> = [];
    for (let i = 0; i < (n === 1 ? singleRounds : 1); i++) runs.push(await runJobs(n));
    const perJob = (name: string) => roundTo3(median(runs.map((r) => (r.cpu.seconds[name] ?? 0) / n)));
    const level = {
      concurrency: n,
      totalWallMs: Math.round(median(runs.map((r) => r.totalWallMs))),
      p50Ms: Math.round(median(runs.flatMap((r) => r.walls))),
      cpuPerJobSeconds: { server: perJob('server'), sdk: perJob('sdk') },
      serverBusyBeforePct: Math.max(...runs.map((r) => r.quietPct)),
    };
    say(`N=${n}: ${level.totalWallMs} ms for all, p50 ${level.p50Ms} ms per job; CPU-s per job: server ${level.cpuPerJobSeconds.server}, worker and client ${level.cpuPerJobSeconds.sdk}`);
    results.push(level);
  }
} finally {
  for (const w of workers) w.shutdown();
  await running;
  await connection.close();
  await native.close();
  await finishRunNamespace(servers.temporalAddress, namespace);
  await servers.release();
}

// The in-process codegen job of the last codegen bench on this checkout, for scale.
interface CodegenLevel { concurrency: number; inProcess: { totalWallMs: number; p50Ms: number; cpu: { perJobSeconds: number; machinePerJobSeconds?: number } } }
const codegen: CodegenLevel[] = existsSync(codegenResultsPath) ? JSON.parse(readFileSync(codegenResultsPath, 'utf8')).levels : [];
const compared = results.map((level) => {
  const inProcess = codegen.find((l) => l.concurrency === level.concurrency)?.inProcess;
  if (!inProcess) return level;
  const floorCpu = level.cpuPerJobSeconds.server + level.cpuPerJobSeconds.sdk;
  // The machine's figure counts the job's type check, which the per-process one cannot see (cpu-usage.ts).
  const inProcessCpu = inProcess.cpu.machinePerJobSeconds ?? inProcess.cpu.perJobSeconds;
  const vs = { inProcessP50Ms: inProcess.p50Ms, inProcessCpuPerJobSeconds: roundTo3(inProcessCpu), floorCpuOverInProcess: roundTo3(floorCpu / inProcessCpu), floorP50OverInProcess: roundTo3(level.p50Ms / inProcess.p50Ms) };
  say(`N=${level.concurrency}: the floor's CPU per job is ${vs.floorCpuOverInProcess}x that of the whole in-process codegen job (${vs.inProcessCpuPerJobSeconds} s), its p50 ${vs.floorP50OverInProcess}x that job's (${inProcess.p50Ms} ms)`);
  return { ...level, codegenInProcess: vs };
});
writeJson(resultsPath, { startedAt: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, levels: compared });
say(`wrote ${resultsPath}`);
