import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerConfig } from '../../domain/config';
import { buildPaths, type BuildPaths } from '../builds/build-paths';
import type { BuildSandbox } from '../builds/build-tools';
import type { LoadVersionFiles } from '../builds/materialize';
import { resolveSandbox } from '../builds/sandbox-policy';
import type { DeltaPublisher } from '../events/publish-deltas';
import type { ServerHost } from '../providers/local-server-process';
import type { ProviderDeps } from '../providers/provider-registry';
import { SecretBox } from '../providers/secret-box';
import { versionFilesFrom } from './version-files';

export type DeliveryConfig = Pick<
  WorkerConfig,
  | 'ENCRYPTION_KEY'
  | 'BUILDS_DIR'
  | 'BUILD_TOOLCHAIN_DIR'
  | 'BUILD_SANDBOX'
  | 'BUILD_CPU_SECONDS'
  | 'BUILD_MEMORY_MB'
  | 'BUILD_TIMEOUT_SECONDS'
  | 'PREVIEW_SERVER_MEMORY_MB'
>;

export interface DeliveryDeps {
  orm: MikroORM;
  config: DeliveryConfig;
  /** Build log lines go out as live deltas on the preview's or deployment's topic. */
  publisher: DeltaPublisher;
  /** Defaults to the project's storage backend; tests and benchmarks may pass fixtures. */
  loadFiles?: LoadVersionFiles;
}

export interface DeliveryContext {
  orm: MikroORM;
  publisher: DeltaPublisher;
  paths: BuildPaths;
  sandbox: BuildSandbox;
  /** Set when generated code runs without bubblewrap (BUILD_SANDBOX=auto and none here). */
  sandboxWarning: string | null;
  providers: ProviderDeps;
  loadFiles: LoadVersionFiles;
}

/** Where this host's local provider keeps its servers, and how it confines them. */
export function localServerHost(config: DeliveryConfig, kind = resolveSandbox(config.BUILD_SANDBOX).kind): ServerHost {
  return { dir: buildPaths(config).localServers, sandbox: kind, memoryMb: config.PREVIEW_SERVER_MEMORY_MB };
}

/** Everything the builder activities share, derived once per worker process from its config. */
export function deliveryContext(deps: DeliveryDeps): DeliveryContext {
  const { config } = deps;
  const paths = buildPaths(config);
  const sandbox = resolveSandbox(config.BUILD_SANDBOX);
  return {
    orm: deps.orm,
    publisher: deps.publisher,
    paths,
    sandbox: {
      kind: sandbox.kind,
      limits: { cpuSeconds: config.BUILD_CPU_SECONDS, memoryMb: config.BUILD_MEMORY_MB, timeoutMs: config.BUILD_TIMEOUT_SECONDS * 1000 },
      tmpRoot: paths.tmp,
      npmCache: paths.npmCache,
    },
    sandboxWarning: sandbox.warning,
    providers: {
      localServers: localServerHost(config, sandbox.kind),
      secretBox: config.ENCRYPTION_KEY ? new SecretBox(config.ENCRYPTION_KEY) : undefined,
    },
    loadFiles: deps.loadFiles ?? versionFilesFrom(deps.orm),
  };
}
