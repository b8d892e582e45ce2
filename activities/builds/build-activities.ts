import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BuilderConfig } from '../../domain/config';
import { DeliveryFailureType, ErrorCode } from '../../domain/errors';
import type { Topic } from '../../domain/events';
import type { ProviderName, ProviderRef } from '../../domain/providers';
import { createCheckActivities } from '../codegen/check-activities';
import { loggedActivity } from '../deployments/logged-activity';
import { createLocalProvider } from '../providers/local-provider';
import type { ServerHost } from '../providers/local-server-process';
import { buildApp, removeArtifact, type BuildArtifact } from './build-app';
import { buildPaths } from './build-paths';
import type { BuildSandbox } from './build-tools';
import { checkAppHealth, type HealthReport } from './health-check';
import { outboundPolicy } from '../providers/outbound-guard';
import { storableText } from './log-text';
import type { SourceFile } from './materialize';
import { resolveSandbox, SandboxUnavailableError } from './sandbox-policy';
import * as probe from './workspace-probe';

export interface BuildVersionInput {
  /** The preview or deployment id: names the workspace and the artifact, so a retry finds its own. */
  buildId: string;
  version: number;
  /** The version's files, loaded by the agents side for this build only (loadBuildFiles). */
  files: SourceFile[];
}

export interface BuiltApp {
  artifactDir: string;
  rootElementId: string;
  logTail: string[];
  dependencies: BuildArtifact['dependencies'];
  durationsMs: BuildArtifact['durationsMs'];
}

export interface ProviderTarget {
  organizationId: string;
  provider: ProviderName;
}

export interface ServeInput extends ProviderTarget {
  /** Where provider log lines go live (agents side); builders ignore it. */
  topic?: Topic;
  resource: string;
  projectId: string;
  artifactDir: string;
}

export interface HealthVerdict extends HealthReport {
  /** The server's last log lines when the check failed (local servers; other providers' come from the agents side). */
  serverLog: string[];
}

/** The builder serves the local provider only: any other provider's credentials stay on the agents side. */
function requireLocal(provider: ProviderName): void {
  if (provider !== 'local') throw ApplicationFailure.nonRetryable(`The ${provider} provider is not served by builders`, ErrorCode.invalidInput);
}

/**
 * Everything that runs or parses tenant code, on the builds queue: build, type-check, the local
 * provider's servers, health checks. Built from BuilderConfig alone: no database, no secrets. Files
 * come in the activity's input; results go back to the workflow, whose agents-side activities
 * record them (rows, events).
 */
export function createBuildActivities(config: BuilderConfig) {
  const paths = buildPaths(config);
  const limits = { cpuSeconds: config.BUILD_CPU_SECONDS, memoryMb: config.BUILD_MEMORY_MB, timeoutMs: config.BUILD_TIMEOUT_SECONDS * 1000 };
  // Resolved per use: a builder without bubblewrap still starts (and says so), each build then fails with the fix.
  const sandbox = () => resolveSandbox(config.BUILD_SANDBOX, config.NODE_ENV);
  const buildSandbox = (kind: BuildSandbox['kind']): BuildSandbox => ({ kind, limits, tmpRoot: paths.tmp, npmCache: paths.npmCache });
  // Only start, deploy and rollback spawn a server; the others need no sandbox to stop or list one.
  const local = (kind: 'bwrap' | 'none' = 'bwrap') => createLocalProvider(localServerHost(config, kind));
  const serving = () => {
    try {
      return local(sandbox().kind);
    } catch (err) {
      // A preview server is tenant code too: without the sandbox it does not start, and no retry helps.
      if (err instanceof SandboxUnavailableError) throw ApplicationFailure.nonRetryable(err.message, DeliveryFailureType.sandboxUnavailable);
      throw err;
    }
  };

  return {
    ...probe,
    ...createCheckActivities({ depsDir: paths.toolchain, sandbox: () => buildSandbox(sandbox().kind) }),

    /** Materialize, install (cached by dependency set), vite build; the step shows as heartbeat details. */
    async buildVersion(input: BuildVersionInput): Promise<BuiltApp> {
      return loggedActivity(null, 'build', async (log) => {
        const resolved = sandbox();
        // BUILD_SANDBOX=none: said at every build, in the builder's log and in the build's own.
        if (resolved.warning) {
          Context.current().log.warn(resolved.warning, { buildId: input.buildId });
          log.line(`warning: ${resolved.warning}`);
        }
        const artifact = await buildApp(input, {
          paths,
          sandbox: buildSandbox(resolved.kind),
          onStage: async (stage) => log.step(stage),
          onLine: log.line,
          signal: log.signal,
        });
        return { artifactDir: artifact.dir, rootElementId: artifact.rootElementId, logTail: log.tail(), dependencies: artifact.dependencies, durationsMs: artifact.durationsMs };
      });
    },

    async startPreviewServer(input: ServeInput): Promise<ProviderRef> {
      requireLocal(input.provider);
      return serving().start({ ...input });
    },
    async deployRelease(input: ServeInput): Promise<ProviderRef> {
      requireLocal(input.provider);
      return serving().deploy({ ...input });
    },
    async rollbackRelease(input: ProviderTarget & { failed: ProviderRef | null; to: ProviderRef }): Promise<ProviderRef> {
      requireLocal(input.provider);
      return serving().rollback(input.failed, input.to, {});
    },
    async destroyRelease(input: { organizationId: string; ref: ProviderRef }): Promise<void> {
      requireLocal(input.ref.provider);
      await local().destroy(input.ref);
    },
    /** Removes what a resource name holds, whether or not its start ever reported back (compensation, the reaper). */
    async removeResource(input: ProviderTarget & { resource: string }): Promise<void> {
      requireLocal(input.provider);
      await local().remove(input.resource);
    },
    /** The local servers this builder runs: the reaper asks the agents side which have no owner. */
    listLocalResources: (): Promise<string[]> => local().list(),

    /** The check itself, on tenant HTML; the verdict is recorded (and turned into a failure) on the agents side. */
    async checkHealth(input: { ref: ProviderRef; rootElementId: string }): Promise<HealthVerdict> {
      // The local provider's servers are this host's own (loopback); any other provider's address passes the outbound guard.
      const policy = input.ref.provider === 'local' ? undefined : outboundPolicy(config.OUTBOUND_ALLOW_HOSTS);
      const report = await checkAppHealth(input.ref.url, { rootElementId: input.rootElementId, policy });
      const serverLog = !report.ok && input.ref.provider === 'local' ? await local().logs(input.ref, 20).catch(() => []) : [];
      return { ...report, problems: report.problems.map(storableText), serverLog: serverLog.map(storableText) };
    },

    removeBuild: ({ buildId }: { buildId: string }) => removeArtifact(paths, buildId),
  };
}
export type BuildActivities = ReturnType<typeof createBuildActivities>;

/** Where this builder's local provider keeps its servers, and how it confines them (throws without a sandbox when it needs one). */
export function localServerHost(config: BuilderConfig, kind: 'bwrap' | 'none' = resolveSandbox(config.BUILD_SANDBOX, config.NODE_ENV).kind): ServerHost {
  return { dir: buildPaths(config).localServers, sandbox: kind, memoryMb: config.PREVIEW_SERVER_MEMORY_MB };
}

