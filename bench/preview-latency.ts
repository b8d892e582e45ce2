// `npm run bench bench/preview-latency.ts`: time from `POST /previews` to the `live` event, through
// the whole product (API and worker as child processes, Temporal, Postgres, the local provider):
// a cold dependency cache (npm install of a set never seen, into a fresh cache), the same set warm,
// the standard generated-app set (the provisioned toolchain, the usual warm path), and 5 previews
// building at once. Prints a table, writes bench/results/preview-latency.json, exits 1 when a
// preview fails. Goal: a warm preview live in <= 5 s.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../scripts/stack/paths';
import { generatedApp } from '../test/support/app-fixtures';
import { writeJson } from './codegen/bench-report';
import { startBenchStack } from './codegen/bench-stack';
import { signUpBenchUser } from './codegen/temporal-jobs';
import { projectWith, timePreview, type PreviewRun } from './previews/timed-preview';

const goalMs = 5_000;
const concurrency = 5;
const resultsPath = join(repoRoot, 'bench/results/preview-latency.json');
const say = (line: string) => console.log(`[bench] ${line}`);

// A dependency set no cache holds yet: the standard packages under other version ranges.
const coldSet = { dependencies: { react: '~19.3.1', 'react-dom': '~19.3.1' }, devDependencies: { vite: '~8.3.8' } };
const coldApp = (marker: string) => generatedApp(marker, { 'package.json': JSON.stringify({ name: 'cold', private: true, type: 'module', ...coldSet }) });

const buildsDir = await mkdtemp(join(tmpdir(), 'forge-bench-builds-'));
const stack = await startBenchStack({ latencyMs: 0, workerEnv: { BUILDS_DIR: buildsDir } });
const scenarios: Array<{ name: string; runs: PreviewRun[]; totalWallMs: number }> = [];
const measure = async (name: string, apps: Array<ReturnType<typeof generatedApp>>) => {
  const user = await signUpBenchUser(stack.apiOrigin);
  const projects = await Promise.all(apps.map((files, i) => projectWith(user, `${name} ${i}`, files)));
  say(`${name}: ${apps.length} preview(s)`);
  const clock = performance.now();
  const runs = await Promise.all(projects.map((id) => timePreview(user, id)));
  scenarios.push({ name, runs, totalWallMs: performance.now() - clock });
  user.client.close();
};

try {
  // Not counted: the first workflow task, the worker's JIT, the toolchain's first read from disk.
  await measure('warm-up', [generatedApp('warm-up')]);
  scenarios.pop();
  await measure('cold cache (npm install)', [coldApp('cold')]);
  await measure('warm cache (same set again)', [coldApp('cold again')]);
  for (let i = 1; i <= 3; i += 1) await measure(`warm toolchain #${i}`, [generatedApp(`warm ${i}`)]);
  await measure(`${concurrency} at once (warm toolchain)`, Array.from({ length: concurrency }, (_, i) => generatedApp(`concurrent ${i}`)));
} finally {
  await stack.close();
  await rm(buildsDir, { recursive: true, force: true });
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rows = scenarios.flatMap((s) => s.runs.map((r) => [s.name, r.status, seconds(r.wallMs), ...Object.values(r.stagesMs).map(seconds), r.dependencies ?? '-']));
const header = ['scenario', 'status', 'live s', 'queued', 'materialize', 'install', 'build', 'start+check', 'dependencies'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log(`\n${[header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}\n`);

const failed = scenarios.flatMap((s) => s.runs.filter((r) => r.status !== 'live').map((r) => `${s.name}: ${r.error}`));
const warm = scenarios.filter((s) => s.name.startsWith('warm toolchain')).map((s) => s.runs[0]!.wallMs).sort((a, b) => a - b);
const warmMedianMs = warm[Math.floor(warm.length / 2)]!;
const batch = scenarios.at(-1)!;
say(`warm preview median ${seconds(warmMedianMs)} s (goal <= ${seconds(goalMs)} s): ${warmMedianMs <= goalMs ? 'met' : 'missed'}`);
say(`${concurrency} at once: all live after ${seconds(batch.totalWallMs)} s (slowest ${seconds(Math.max(...batch.runs.map((r) => r.wallMs)))} s)`);
for (const failure of failed) say(`FAILED ${failure}`);
writeJson(resultsPath, {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version },
  worker: { maxConcurrentBuilds: stack.workerConfig.WORKER_MAX_CONCURRENT_BUILDS, sandbox: stack.workerConfig.BUILD_SANDBOX },
  goalMs,
  warmMedianMs,
  goalMet: warmMedianMs <= goalMs,
  scenarios,
});
say(`wrote ${resultsPath}`);
process.exit(failed.length > 0 ? 1 : 0);
