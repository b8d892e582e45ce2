import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatedAppPackages } from '../../domain/llm-protocol';

/** What an app declares it needs: the key of its dependency cache entry. Lockfiles are not part of it. */
export interface DependencySet {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export class InvalidManifestError extends Error {}

/** Reads the dependency set out of an app's package.json text. */
export function readDependencySet(packageJson: string): DependencySet {
  let manifest: unknown;
  try {
    manifest = JSON.parse(packageJson);
  } catch {
    throw new InvalidManifestError('package.json is not valid JSON');
  }
  const section = (name: string): Record<string, string> => {
    const value = (manifest as Record<string, unknown>)[name] ?? {};
    if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
      throw new InvalidManifestError(`package.json "${name}" must map package names to version strings`);
    }
    return value as Record<string, string>;
  };
  return { dependencies: section('dependencies'), devDependencies: section('devDependencies') };
}

const sorted = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Order-independent: two apps declaring the same packages and ranges share one cache entry. */
export function dependencySetKey(set: DependencySet): string {
  const canonical = JSON.stringify({ dependencies: sorted(set.dependencies), devDependencies: sorted(set.devDependencies) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export interface ResolvedDependencies {
  /** The node_modules directory to link into the workspace. */
  nodeModules: string;
  source: 'toolchain' | 'cache' | 'installed';
}

export interface DependencyCacheOptions {
  depCache: string;
  /** The provisioned toolchain (.tools/check-deps); reused as is when an app declares its exact set. */
  toolchain: string;
  /** Installs `set` into `dir` (a package.json is already there); runs npm in the sandbox. */
  install: (dir: string) => Promise<void>;
}

async function toolchainKeys(toolchain: string): Promise<Set<string>> {
  const keys = new Set([dependencySetKey(generatedAppPackages)]);
  // The toolchain's own pins count too: an app that copied them exactly gets the same tree.
  const manifest = await readFile(join(toolchain, 'package.json'), 'utf8').catch(() => null);
  if (manifest) keys.add(dependencySetKey(readDependencySet(manifest)));
  return keys;
}

/**
 * The node_modules for a dependency set, without touching the registry when it is warm: the
 * generated-app toolchain when the set is the standard one, else `<depCache>/<key>` installed once.
 * Installs go to a private staging directory renamed into place, so concurrent builds of one set
 * never see a half-installed tree (the loser of the rename race discards its copy).
 */
export async function resolveDependencies(set: DependencySet, options: DependencyCacheOptions): Promise<ResolvedDependencies> {
  const key = dependencySetKey(set);
  const toolchainModules = join(options.toolchain, 'node_modules');
  if ((await toolchainKeys(options.toolchain)).has(key) && existsSync(toolchainModules)) {
    return { nodeModules: toolchainModules, source: 'toolchain' };
  }
  const entry = join(options.depCache, key);
  if (existsSync(join(entry, 'node_modules'))) return { nodeModules: join(entry, 'node_modules'), source: 'cache' };

  const staging = join(options.depCache, `.staging-${key}-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(join(staging, 'package.json'), JSON.stringify({ name: 'forge-app-deps', private: true, ...set }, null, 2));
    await options.install(staging);
    await rename(staging, entry).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { nodeModules: join(entry, 'node_modules'), source: 'installed' };
}
