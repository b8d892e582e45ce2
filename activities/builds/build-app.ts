import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildStage } from '../../domain/previews';
import type { BuildPaths } from './build-paths';
import { npmInstall, viteBuild, type BuildSandbox } from './build-tools';
import { assertRegistrySpecs } from './dependency-specs';
import { InvalidManifestError, readDependencySet, resolveDependencies, type ResolvedDependencies } from './dependency-cache';
import { rootElementIdOf } from './health-check';
import { materializeFiles, type SourceFile } from './materialize';
import { LimitExceededError } from './sandboxed-run';

/** Why a build failed, as the code a preview or deployment ends with, and the sentence to show. */
export class BuildError extends Error {
  constructor(
    readonly code: 'build_failed' | 'limit_exceeded',
    message: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export interface BuildAppInput {
  /** The preview or deployment id: names the workspace and the artifact, so a retry finds its own. */
  buildId: string;
  version: number;
  /** The version's files, handed over by the agents side for this one build (no storage access here). */
  files: SourceFile[];
}

export interface BuildArtifact {
  /** The built `dist/`: index.html and its assets. */
  dir: string;
  /** The element the app mounts into (read from src/main.tsx), for the health check. */
  rootElementId: string;
  /** Where node_modules came from; null when an earlier attempt's finished artifact was reused. */
  dependencies: ResolvedDependencies['source'] | null;
  durationsMs: Partial<Record<BuildStage, number>>;
}

export interface BuildAppDeps {
  paths: BuildPaths;
  sandbox: BuildSandbox;
  /** Called as each stage starts (a durable event). */
  onStage: (stage: BuildStage) => Promise<void>;
  /** Every log line of the tools (live deltas and the log tail). */
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

async function timed<T>(durations: BuildArtifact['durationsMs'], stage: BuildStage, deps: BuildAppDeps, run: () => Promise<T>): Promise<T> {
  await deps.onStage(stage);
  const started = Date.now();
  try {
    return await run();
  } finally {
    durations[stage] = Date.now() - started;
  }
}

function failedRun(what: string, result: { exitCode: number | null; signal: string | null }): BuildError {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  return new BuildError('build_failed', `${what} ${how}: see the log`);
}

/**
 * Materialize, install, build: a version's files become a servable `dist/` under
 * `<artifacts>/<buildId>`. Each attempt starts in a fresh workspace; a finished artifact is reused
 * as is, so an activity retried after it completed does no work twice.
 */
export async function buildApp(input: BuildAppInput, deps: BuildAppDeps): Promise<BuildArtifact> {
  const artifact = join(deps.paths.artifacts, input.buildId);
  const meta = `${artifact}.json`;
  if (existsSync(join(artifact, 'index.html')) && existsSync(meta)) {
    const { rootElementId } = JSON.parse(await readFile(meta, 'utf8')) as { rootElementId: string };
    return { dir: artifact, rootElementId, dependencies: null, durationsMs: {} };
  }
  const workspace = join(deps.paths.workspaces, input.buildId);
  const durations: BuildArtifact['durationsMs'] = {};
  const run = { onLine: deps.onLine, signal: deps.signal };
  let rootElementId = 'root';
  try {
    await timed(durations, 'materialize', deps, async () => {
      const { files } = input;
      await materializeFiles(workspace, files);
      rootElementId = rootElementIdOf(files.find((f) => f.path === 'src/main.tsx')?.content);
      deps.onLine(`materialized ${files.length} files of version ${input.version}`);
    });

    const resolved = await timed(durations, 'install', deps, async () => {
      const manifest = await readFile(join(workspace, 'package.json'), 'utf8').catch(() => {
        throw new BuildError('build_failed', `Version ${input.version} has no package.json`);
      });
      const set = readDependencySet(manifest);
      assertRegistrySpecs(set);
      const found = await resolveDependencies(set, {
        depCache: deps.paths.depCache,
        toolchain: deps.paths.toolchain,
        install: async (dir) => {
          const result = await npmInstall(deps.sandbox, dir, run);
          if (result.exitCode !== 0) throw failedRun('npm install', result);
        },
      });
      deps.onLine(`dependencies: ${found.source === 'installed' ? 'installed into the cache' : `reused from the ${found.source}`}`);
      await rm(join(workspace, 'node_modules'), { recursive: true, force: true });
      await symlink(found.nodeModules, join(workspace, 'node_modules'), 'dir');
      return found;
    });

    await timed(durations, 'build', deps, async () => {
      if (!existsSync(join(resolved.nodeModules, 'vite', 'bin', 'vite.js'))) {
        throw new BuildError('build_failed', 'vite is not among the app\'s dependencies: add it to devDependencies');
      }
      const result = await viteBuild(deps.sandbox, workspace, resolved.nodeModules, run);
      if (result.exitCode !== 0) throw failedRun('vite build', result);
      if (!existsSync(join(workspace, 'dist', 'index.html'))) throw new BuildError('build_failed', 'vite build produced no dist/index.html');
    });

    await mkdir(deps.paths.artifacts, { recursive: true });
    await rm(artifact, { recursive: true, force: true });
    await rename(join(workspace, 'dist'), artifact);
    await writeFile(meta, JSON.stringify({ rootElementId }));
    deps.onLine(`built ${await countFiles(artifact)} files in ${Object.values(durations).reduce((a, b) => a + b, 0)} ms`);
    return { dir: artifact, rootElementId, dependencies: resolved.source, durationsMs: durations };
  } catch (err) {
    if (err instanceof LimitExceededError) throw new BuildError('limit_exceeded', err.message);
    if (err instanceof InvalidManifestError) throw new BuildError('build_failed', err.message);
    throw err;
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) count += 1;
  return count;
}

/** Removes a build's artifact (when its preview ends, or its deployment is superseded for good). */
export async function removeArtifact(paths: BuildPaths, buildId: string): Promise<void> {
  await rm(join(paths.artifacts, buildId), { recursive: true, force: true });
  await rm(join(paths.artifacts, `${buildId}.json`), { force: true });
}
