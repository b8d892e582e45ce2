import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Logger as TemporalLogger } from '@temporalio/common';
import { workflowInterceptorModules } from './tracing-options';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const defaultWorkflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Cached bundles kept per checkout; older ones (other branches) are pruned past this many. */
const keep = 8;

export interface BundleOptions {
  /** Defaults to workflows/index.ts. */
  workflowsPath?: string;
  /** Workflow interceptor modules bundled with the code; default: OpenTelemetry's (tracing-options.ts). */
  interceptorModules?: string[];
  /** Defaults to WORKFLOW_BUNDLE_DIR or .data/workflow-bundles under the repo root. */
  cacheDir?: string;
  logger?: TemporalLogger;
}

export interface LoadedBundle {
  bundle: WorkflowBundle;
  /** Hash of every repo source file webpack read, the SDK version and the bundle options: the build id. */
  hash: string;
  /** False when this call ran webpack. */
  cached: boolean;
}

interface Manifest {
  hash: string;
  /** Repo-relative paths of the source files in the bundle (node_modules are covered by `sdk`). */
  files: string[];
}

const sdkVersions = (() => {
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return `workflow@${version('@temporalio/workflow')} worker@${version('@temporalio/worker')}`;
})();

/** The hash of a candidate bundle: what it was built from. A missing file makes the hash differ. */
function hashOf(files: string[], options: Required<Pick<BundleOptions, 'workflowsPath' | 'interceptorModules'>>): string {
  // Repo-relative paths: the same code is the same build id wherever it is checked out.
  const modules = options.interceptorModules.map((m) => relative(repoRoot, m)).join(',');
  const hash = createHash('sha256').update(`${sdkVersions}\n${relative(repoRoot, options.workflowsPath)}\n${modules}\n`);
  for (const file of [...files].sort()) {
    let content: Buffer | string;
    try { content = readFileSync(join(repoRoot, file)); } catch { content = '\0missing'; }
    hash.update(`${file}\n`).update(createHash('sha256').update(content).digest('hex')).update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes by rename, so parallel test files or workers never read half a bundle. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

const manifestsNewestFirst = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.at - a.at).map(({ f }) => join(dir, f));
  } catch {
    return [];
  }
};

/**
 * The workflow bundle for the code as it is now. Webpack takes 8-30 s, so a bundle is built once
 * per code change and kept in the cache directory with the list of source files it read; a start
 * re-hashes those files (milliseconds) and loads the bundle when nothing changed. The hash doubles
 * as the Worker Deployment build id: same code, same build.
 */
export async function loadWorkflowBundle(options: BundleOptions = {}): Promise<LoadedBundle> {
  const resolved = { workflowsPath: options.workflowsPath ?? defaultWorkflowsPath, interceptorModules: options.interceptorModules ?? workflowInterceptorModules };
  const dir = resolve(repoRoot, options.cacheDir ?? process.env.WORKFLOW_BUNDLE_DIR ?? '.data/workflow-bundles');
  for (const path of manifestsNewestFirst(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      if (hashOf(manifest.files, resolved) !== manifest.hash) continue;
      return { bundle: { code: readFileSync(join(dir, `${manifest.hash}.js`), 'utf8') }, hash: manifest.hash, cached: true };
    } catch {
      continue; // A manifest without its bundle (pruned meanwhile): bundle afresh below.
    }
  }

  const read = new Set<string>();
  const { code } = await bundleWorkflowCode({
    workflowsPath: resolved.workflowsPath,
    workflowInterceptorModules: resolved.interceptorModules,
    ...(options.logger ? { logger: options.logger } : {}),
    // Record every file webpack read: the cache key is their content, not a guess at the import graph.
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [...(config.plugins ?? []), {
        apply: (compiler) => compiler.hooks.done.tap('forge-bundle-files', (stats) => {
          for (const file of stats.compilation.fileDependencies) read.add(file);
        }),
      }],
    }),
  });
  // Webpack also lists directories it resolved in and its generated entrypoint: files only.
  const isFile = (f: string) => { try { return statSync(f).isFile(); } catch { return false; } };
  const files = [...read].filter((f) => f.startsWith(repoRoot) && !f.includes('/node_modules/') && isFile(f)).map((f) => relative(repoRoot, f));
  const hash = hashOf(files, resolved);
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomically(join(dir, `${hash}.js`), code);
    writeAtomically(join(dir, `${hash}.json`), JSON.stringify({ hash, files } satisfies Manifest, null, 1));
    for (const old of manifestsNewestFirst(dir).slice(keep)) {
      rmSync(old, { force: true });
      rmSync(old.replace(/\.json$/, '.js'), { force: true });
    }
  } catch (error) {
    // A read-only cache directory costs speed, not correctness.
    options.logger?.warn('workflow bundle cache not writable', { dir, error: String(error) });
  }
  return { bundle: { code }, hash, cached: false };
}
