// `npm run bench bench/github-commit.ts`: save-to-commit time of a version on GitHub storage, for
// versions of 50 and 500 files: the first save and then an edit of 3 files, with the number of
// GitHub API calls each made. Runs Forge's real commit code (octokit, the Git Data API) against the
// local GitHub of the tests (test/support/fake-github.ts: a real bare git repository, every request
// checked against GitHub's OpenAPI description). Local calls take ~1-5 ms; on api.github.com each
// takes ~100-300 ms, so the call count is the figure that carries over. Writes
// bench/results/github-commit.json; exits 1 if a commit is missing or a request broke the description.
import { join } from 'node:path';
import { commitVersion } from '../activities/github/commit-version';
import { octokitFor } from '../activities/github/github-client';
import { repoRoot } from '../scripts/stack/paths';
import { startFakeGithub } from '../test/support/fake-github';
import { writeJson } from './codegen/bench-report';

const ROUNDS = 3;
const sizes = [50, 500];
const projectId = '00000000-0000-4000-8000-000000000000';
const say = (line: string) => console.log(`[bench] ${line}`);

/** A source-like file of ~1.5 KB whose content depends on (i, rev). */
const fileOf = (i: number, rev = 0) => ({
  path: `src/module-${Math.floor(i / 50)}/file-${i}.ts`,
  bytes: Buffer.from(`// file ${i}, revision ${rev}\n${Array.from({ length: 40 }, (_, l) => `export const value${l} = ${i * 1000 + l + rev};`).join('\n')}\n`),
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const github = await startFakeGithub();
const rows: Array<{ files: number; step: string; medianMs: number; minMs: number; apiCalls: number }> = [];
try {
  for (const size of sizes) {
    const times: Record<string, number[]> = { 'first save': [], 'edit of 3 files': [] };
    const calls: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const name = `bench-${size}-${round}`;
      const repo = github.repo(`acme/${name}`);
      // GitHub's Git Data API needs a repository with a first commit (an empty one answers 409).
      repo.commitFiles('main', { 'README.md': '# bench\n' }, 'Initial commit');
      const target = { owner: 'acme', name, branch: 'main' };
      const octokit = await octokitFor(github.url, { type: 'token', token: github.token }, target);
      let files = [{ path: 'README.md', bytes: Buffer.from('# bench\n') }, ...Array.from({ length: size }, (_, i) => fileOf(i))];
      for (const [step, number] of [['first save', 1], ['edit of 3 files', 2]] as const) {
        if (number === 2) files = files.map((f, i) => (i >= 1 && i <= 3 ? fileOf(i - 1, 1) : f));
        const before = github.requests.length;
        const clock = performance.now();
        const result = await commitVersion(octokit, target, { projectId, number, message: `${step} (${size} files)`, files, pullRequest: false });
        times[step]!.push(performance.now() - clock);
        calls[step] = github.requests.length - before;
        if (repo.head('main') !== result.sha) throw new Error(`${step} of ${size} files: main is not at the new commit`);
      }
      const changed = repo.git(['show', '--name-only', '--format=', 'main']).trim().split('\n');
      if (changed.length !== 3) throw new Error(`the edit commit changed ${changed.length} files, not 3`);
      repo.close();
    }
    for (const step of Object.keys(times)) {
      rows.push({ files: size, step, medianMs: Math.round(median(times[step]!)), minMs: Math.round(Math.min(...times[step]!)), apiCalls: calls[step]! });
    }
  }
  if (github.violations.length) throw new Error(`requests broke GitHub's OpenAPI description:\n${github.violations.join('\n')}`);
  say('| files | step | median ms | min ms | GitHub API calls |');
  say('| --- | --- | --- | --- | --- |');
  for (const r of rows) say(`| ${r.files} | ${r.step} | ${r.medianMs} | ${r.minMs} | ${r.apiCalls} |`);
  writeJson(join(repoRoot, 'bench/results/github-commit.json'), { rounds: ROUNDS, rows, at: new Date().toISOString() });
} finally {
  await github.close();
}
