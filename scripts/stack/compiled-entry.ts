// Compiles a service's entry (api/main.ts, worker/main.ts) and every module of ours it imports into
// one ES module, .data/dist/<entry>.mjs, that Node loads without tsx: tsx's hooks run on every module
// the process loads, node_modules included, and cost a worker about a second of its start (2.9 s ->
// 2.0 s to polling, bench/worker-start.ts). Packages stay external (Node loads them as usual). Runs
// under tsx (scripts/start.ts, tests, benches) and, as a CLI, under Node's own type stripping
// (scripts/run.sh), so it imports nothing of ours.
import { build, stop, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Each module keeps its own `import.meta.url`, so paths it resolves next to itself still hold in the bundle. */
const ownUrls: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** Builds in flight in this process: esbuild's service process is stopped when none is left. */
let building = 0;

/** Builds `entry` (relative to the repo root) and returns the compiled module's path; about 0.15 s. */
export async function compileEntry(entry: string): Promise<string> {
  const out = join(root, '.data/dist', `${entry.replace(/\.ts$/, '').replaceAll('/', '-')}.mjs`);
  building++;
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: 'linked',
    outfile: out,
    write: false,
    logLevel: 'error',
    plugins: [ownUrls],
  }).finally(async () => {
    // esbuild keeps a service process for later builds; a supervisor (npm start) must not leave it behind.
    if (--building === 0) await stop();
  });
  // Written whole, then renamed, the map before the module that names it: two processes starting
  // at once never load a half-written file.
  mkdirSync(dirname(out), { recursive: true });
  const isMap = (file: { path: string }) => file.path.endsWith('.map');
  for (const file of [...result.outputFiles.filter(isMap), ...result.outputFiles.filter((f) => !isMap(f))]) {
    const partial = `${file.path}.${process.pid}.tmp`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  return out;
}

/**
 * Modules a service preloads (`--import`) before its entry; scripts/run.sh and docker-compose.yml
 * start the worker with the same one.
 */
const preloads: Record<string, string[]> = { 'worker/main.ts': ['worker/workflow-stack-traces.ts'] };

/** How a process starts a service: Node on the compiled entry, source maps on for readable stacks. */
export async function serviceLaunch(entry: string): Promise<{ command: string; args: string[] }> {
  const imports = (preloads[entry] ?? []).flatMap((file) => ['--import', pathToFileURL(join(root, file)).href]);
  return { command: process.execPath, args: ['--enable-source-maps', ...imports, await compileEntry(entry)] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(await compileEntry(process.argv[2] ?? 'worker/main.ts'));
}
