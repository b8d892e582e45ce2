import { resolve } from 'node:path';
import type { WorkerConfig } from '../../domain/config';

/**
 * Where builds live on a builder host. Workspaces are scratch (one per build attempt); artifacts
 * are the finished `dist/` a provider serves or ships; the dependency cache is keyed by the
 * dependency set, so a warm preview installs nothing.
 */
export interface BuildPaths {
  workspaces: string;
  artifacts: string;
  depCache: string;
  /** npm's own download cache, shared by cold installs so a second cold set reuses tarballs. */
  npmCache: string;
  /** Per-run temp directories, bound at /tmp inside the sandbox. */
  tmp: string;
  /** The provisioned generated-app toolchain (.tools/check-deps): the warmest cache of all. */
  toolchain: string;
  /** State of the local provider's server processes (pid, port), one file per resource. */
  localServers: string;
}

export function buildPaths(config: Pick<WorkerConfig, 'BUILDS_DIR' | 'BUILD_TOOLCHAIN_DIR'>): BuildPaths {
  const root = resolve(config.BUILDS_DIR);
  return {
    workspaces: resolve(root, 'workspaces'),
    artifacts: resolve(root, 'artifacts'),
    depCache: resolve(root, 'dep-cache'),
    npmCache: resolve(root, 'npm-cache'),
    tmp: resolve(root, 'tmp'),
    toolchain: resolve(config.BUILD_TOOLCHAIN_DIR),
    localServers: resolve(root, 'local-servers'),
  };
}
