// `npm run bench:codegen`: codegen jobs at 1, 10 and 50 at once through the whole product (API and
// worker as child processes, Temporal, Postgres, the offline model server at a fixed latency), next
// to the same activity functions run in-process without Temporal, in the same run. Prints a table
// and writes bench/results/codegen-throughput.json. BENCH_LEVELS (e.g. "1,10") and
// BENCH_MODEL_LATENCY_MS change the shape; a level of 1 runs BENCH_SINGLE_ROUNDS jobs (default 5) one
// after another, and its wall times are the median's; worker settings (WORKER_MAX_CONCURRENT_BUILDS...) pass
// through to both paths. Exits 1 when a job fails.
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../scripts/stack/paths';
import { formatStageTable, formatTable, summarize, writeJson, type LevelResult } from './codegen/bench-report';
import { startBenchStack } from './codegen/bench-stack';
import { createInProcessRunner } from './codegen/in-process-jobs';
import { startLlmTimer } from './codegen/llm-timer';
import { excluding, measureCpu, waitUntilQuiet } from './codegen/cpu-usage';
import { sampleRss } from './codegen/rss-sampler';
import { inRounds } from './codegen/job-run';
import { runTemporalJobs, signUpBenchUser } from './codegen/temporal-jobs';
import { measureUserWaits, summarizeWaits, type UserWaits } from './codegen/user-waits';

const levels = (process.env.BENCH_LEVELS ?? '1,10,50').split(',').filter(Boolean).map(Number);
const singleRounds = Number(process.env.BENCH_SINGLE_ROUNDS ?? 5);
/** Concurrent sessions of the "what a user waits for" phase (0 skips it). */
const waitSessions = Number(process.env.BENCH_WAIT_SESSIONS ?? 10);
/** Bursts of that many sessions, one after another: ten samples alone make a noisy p50. */
const waitRounds = Number(process.env.BENCH_WAIT_ROUNDS ?? 3);
const waitGoals = { postP50Ms: 50, firstEventP50Ms: 100, firstEventP99Ms: 300, tokenToDeltaP50Ms: 50 };
const latencyMs = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 50);
const overheadGoal = 1.3;
const jobTimeoutMs = 300_000;
const resultsPath = join(repoRoot, 'bench/results/codegen-throughput.json');

const say = (line: string) => console.log(`[bench] ${line}`);
const startedAt = new Date();
say(`provisioning (model latency ${latencyMs} ms per call, levels ${levels.join(', ')})`);
const stack = await startBenchStack({ latencyMs });
const llmTimer = startLlmTimer();
const results: LevelResult[] = [];
let waits: ReturnType<typeof summarizeWaits> | undefined;
try {
  const user = await signUpBenchUser(stack.apiOrigin);
  const runInProcess = createInProcessRunner(stack.orm, stack.workerConfig);
  // The bench process hosts the model server on both paths; the Temporal dev server is shared.
  const services = { ...stack.pids, ...(stack.temporalPid ? { temporal: stack.temporalPid } : {}) };
  const temporalPids = { ...services, bench: process.pid };
  // Both paths write to the same PostgreSQL: its postmaster and backends count on each side.
  const postgres: Record<string, number> = stack.postgresPid ? { postgres: stack.postgresPid } : {};
  const trees = ['builder', 'postgres'];
  // One job each way first, not counted: workflow bundle, JIT, tsc's first read of the dependency cache.
  say('warming up');
  const warm = [...(await runTemporalJobs(user, 1, 'warm-up', jobTimeoutMs)).runs, ...(await runInProcess(user, 1, 'warm-up')).runs];
  if (warm.some((r) => !r.ok)) throw new Error(`warm-up failed: ${warm.map((r) => r.error).join('; ')}`);

  // The dev server may still be deleting an earlier run's namespace: that work is not this run's.
  const quietServer = async () => {
    if (!stack.temporalPid) return;
    const { waitedMs, busyPct } = await waitUntilQuiet(stack.temporalPid);
    if (waitedMs > 1_500) say(`waited ${Math.round(waitedMs / 1000)} s for the Temporal server to go quiet (now ${busyPct} % of a core)`);
  };
  for (const n of levels) {
    await quietServer();
    say(`${n} concurrent jobs through the API and Temporal`);
    const rss = sampleRss(stack.pids);
    let cpu = measureCpu({ ...temporalPids, ...postgres }, { trees });
    llmTimer.take();
    const rounds = n === 1 ? singleRounds : 1;
    const temporal = await inRounds(rounds, () => runTemporalJobs(user, n, `N=${n}`, jobTimeoutMs));
    const temporalLlm = llmTimer.take();
    const temporalCpu = cpu.stop();
    const peakRssMiB = rss.stop() as LevelResult['peakRssMiB'];
    say(`${n} concurrent jobs in-process`);
    cpu = measureCpu({ bench: process.pid, ...postgres }, { trees });
    // The Temporal path's services sit idle meanwhile: their pollers' CPU is not the in-process path's.
    const idle = measureCpu(services, { trees });
    const inProcess = await inRounds(rounds, () => runInProcess(user, n, `N=${n}`));
    const inProcessLlm = llmTimer.take();
    const inProcessCpu = excluding(cpu.stop(), idle.stop());
    const level: LevelResult = {
      concurrency: n,
      temporal: summarize(temporal, temporalLlm, temporalCpu),
      inProcess: summarize(inProcess, inProcessLlm, inProcessCpu),
      overhead: 0,
      overheadP50: 0,
      peakRssMiB,
    };
    level.overhead = level.temporal.totalWallMs / level.inProcess.totalWallMs;
    level.overheadP50 = level.temporal.p50Ms / level.inProcess.p50Ms;
    results.push(level);
  }
  if (waitSessions > 0) {
    await quietServer();
    say(`what a user waits for, at ${waitSessions} concurrent sessions, ${waitRounds} rounds`);
    const rounds: UserWaits[] = [];
    for (let round = 0; round < waitRounds; round++) rounds.push(await measureUserWaits(user, waitSessions, jobTimeoutMs, round));
    for (const error of rounds.flatMap((r) => r.errors)) say(`waits: ${error}`);
    waits = summarizeWaits(rounds);
  }
} finally {
  llmTimer.stop();
  await stack.close();
}

const errors = results.reduce((sum, l) => sum + l.temporal.errors + l.inProcess.errors, 0);
const goalMet = results.every((l) => l.overhead <= overheadGoal) && errors === 0;
console.log(`\n${formatTable(results)}\n\n${formatStageTable(results)}\n`);
for (const l of results) for (const [path, r] of [['temporal', l.temporal], ['in-process', l.inProcess]] as const) {
  if (r.errors) say(`N=${l.concurrency} ${path}: ${r.errors} failed, e.g. ${r.errorSamples.join(' | ')}`);
}
say(`goal (overhead <= ${overheadGoal}x at every level, no errors): ${goalMet ? 'met' : 'missed'}`);
if (waits) {
  say(`at ${waits.sessions} sessions (${waits.rounds} rounds): POST p50 ${waits.postP50Ms} ms (goal ${waitGoals.postP50Ms}; rounds ${waits.roundPostP50Ms.join(', ')}); POST to first durable event p50 ${waits.firstEventP50Ms} / p99 ${waits.firstEventP99Ms} ms (goals ${waitGoals.firstEventP50Ms} / ${waitGoals.firstEventP99Ms}; round p50s ${waits.roundFirstEventP50Ms.join(', ')}); model first token to client delta p50 ${waits.tokenToDeltaP50Ms} ms (goal ${waitGoals.tokenToDeltaP50Ms})`);
}
writeJson(resultsPath, {
  startedAt: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: { cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version },
  modelLatencyMs: latencyMs,
  worker: { maxConcurrentBuilds: stack.workerConfig.WORKER_MAX_CONCURRENT_BUILDS },
  overheadGoal,
  goalMet,
  levels: results,
  userWaits: waits ? { ...waits, goals: waitGoals } : null,
});
say(`wrote ${resultsPath}`);
process.exit(errors + (waits?.errors ?? 0) > 0 ? 1 : 0);
