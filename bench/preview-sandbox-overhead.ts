// `npm run bench:sandbox`: what the build sandbox costs a warm preview. One stack (API, worker,
// builder as child processes, Temporal, Postgres, the local provider), the same warm app (the
// provisioned toolchain: no npm), request-to-live timed through the API and its live events, in
// rounds that alternate the builder between the full sandbox (bubblewrap, BUILD_SANDBOX=bwrap) and
// BUILD_SANDBOX=none, so drift on a busy machine hits both alike. Prints a table, writes
// bench/results/preview-sandbox-overhead.json, exits 1 when a preview fails. Goal: ratio <= 1.15.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../scripts/stack/paths';
import { generatedApp } from '../test/support/app-fixtures';
import { writeJson } from './codegen/bench-report';
import { startBenchStack } from './codegen/bench-stack';
import { signUpBenchUser } from './codegen/temporal-jobs';
import { projectWith, timePreview, type PreviewRun } from './previews/timed-preview';

const goalRatio = 1.15;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const perRound = Number(process.env.BENCH_PREVIEWS_PER_ROUND ?? 3);
const resultsPath = join(repoRoot, 'bench/results/preview-sandbox-overhead.json');
const say = (line: string) => console.log(`[bench] ${line}`);
const modes = {
  sandbox: { BUILD_SANDBOX: 'bwrap' },
  // none is refused in production: the unsandboxed builder runs as development.
  none: { BUILD_SANDBOX: 'none', NODE_ENV: 'development' },
} as const;

/** Waits until the previews a mode started are destroyed: their servers are removed by the builder that is about to be replaced. */
async function drained(user: Awaited<ReturnType<typeof signUpBenchUser>>, previews: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const id of previews) {
    while (!['destroyed', 'failed'].includes((await user.client.previews.get(id)).status)) {
      if (Date.now() > deadline) throw new Error(`preview ${id} was not destroyed within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const buildsDir = await mkdtemp(join(tmpdir(), 'forge-bench-builds-'));
const stack = await startBenchStack({ latencyMs: 0, workerEnv: { BUILDS_DIR: buildsDir } });
const runs: Record<keyof typeof modes, PreviewRun[]> = { sandbox: [], none: [] };
try {
  const user = await signUpBenchUser(stack.apiOrigin);
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of Object.keys(modes) as Array<keyof typeof modes>) {
      await stack.restartBuilder(modes[mode]);
      // Not counted: the builder's first activity (JIT, the toolchain's first read from disk).
      const warmUp = await timePreview(user, await projectWith(user, `${mode} warm-up ${round}`, generatedApp(`warm-up ${round}`)));
      const started = [warmUp.previewId];
      for (let i = 0; i < perRound; i += 1) {
        const run = await timePreview(user, await projectWith(user, `${mode} ${round}.${i}`, generatedApp(`${mode} ${round}.${i}`)));
        runs[mode].push(run);
        started.push(run.previewId);
        say(`round ${round + 1} ${mode}: ${run.status} in ${(run.wallMs / 1000).toFixed(2)} s`);
      }
      await drained(user, started);
    }
  }
  user.client.close();
} finally {
  await stack.close();
  await rm(buildsDir, { recursive: true, force: true });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const summary = Object.fromEntries(
  (Object.keys(runs) as Array<keyof typeof modes>).map((mode) => {
    const live = runs[mode].filter((r) => r.status === 'live');
    return [mode, { runs: live.length, medianMs: median(live.map((r) => r.wallMs)), medianBuildMs: median(live.map((r) => r.stagesMs.build)), medianStartAndCheckMs: median(live.map((r) => r.stagesMs.startAndCheck)) }];
  }),
) as Record<keyof typeof modes, { runs: number; medianMs: number; medianBuildMs: number; medianStartAndCheckMs: number }>;
const ratio = summary.sandbox.medianMs / summary.none.medianMs;

console.log(`\n| builder | previews | median request-to-live s | median vite build s | median start+check s |\n| --- | --- | --- | --- | --- |`);
for (const [mode, s] of Object.entries(summary)) console.log(`| ${mode} | ${s.runs} | ${seconds(s.medianMs)} | ${seconds(s.medianBuildMs)} | ${seconds(s.medianStartAndCheckMs)} |`);
say(`sandbox / none = ${ratio.toFixed(3)}x (goal <= ${goalRatio}x): ${ratio <= goalRatio ? 'met' : 'missed'}`);
const failed = Object.values(runs).flat().filter((r) => r.status !== 'live');
for (const failure of failed) say(`FAILED ${failure.previewId}: ${failure.error}`);
writeJson(resultsPath, {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version },
  rounds,
  perRound,
  goalRatio,
  ratio,
  goalMet: ratio <= goalRatio,
  summary,
  runs,
});
say(`wrote ${resultsPath}`);
process.exit(failed.length > 0 ? 1 : 0);
