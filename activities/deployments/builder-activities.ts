import { ApplicationFailure } from '@temporalio/common';
import { appendEvents } from '../../db/repositories/event-log';
import { DeliveryFailureType } from '../../domain/errors';
import { splitTopic, type Topic } from '../../domain/events';
import type { ProviderName, ProviderRef } from '../../domain/providers';
import { buildApp, removeArtifact, type BuildArtifact } from '../builds/build-app';
import { checkAppHealth } from '../builds/health-check';
import { defaultOutboundPolicy } from '../providers/outbound-guard';
import { loadProvider } from '../providers/provider-registry';
import { deliveryContext, type DeliveryDeps } from './delivery-context';
import { loggedActivity, type FailureDetails } from './logged-activity';

export interface BuildVersionInput {
  /** The preview or deployment id. */
  buildId: string;
  topic: Topic;
  projectId: string;
  version: number;
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
  topic: Topic;
}

export interface ServeInput extends ProviderTarget {
  resource: string;
  projectId: string;
  artifactDir: string;
}

/**
 * Builder-side activities (builds queue): the build, the provider calls and the health check.
 * They run on the host holding the build's artifact, which the local provider serves from.
 */
export function createBuilderActivities(deps: DeliveryDeps) {
  const ctx = deliveryContext(deps);
  const providerFor = (target: Pick<ProviderTarget, 'organizationId' | 'provider'>) =>
    loadProvider(ctx.orm.em.fork(), ctx.providers, target.organizationId, target.provider);
  const stageEvent = async (topic: Topic, stage: string) =>
    void (await appendEvents(ctx.orm.em.fork(), topic, [{ type: 'build.stage', data: { stage }, key: `${topic}:build.stage:${stage}` }]));

  return {
    /** Materialize, install (cached by dependency set), vite build: each stage a durable event, each log line a delta. */
    async buildVersion(input: BuildVersionInput): Promise<BuiltApp> {
      return loggedActivity(ctx.publisher, input.topic, 'build', async (log) => {
        if (ctx.sandboxWarning) log.line(`warning: ${ctx.sandboxWarning}`);
        const artifact = await buildApp(input, {
          paths: ctx.paths,
          sandbox: ctx.sandbox,
          loadFiles: ctx.loadFiles,
          onStage: (stage) => stageEvent(input.topic, stage),
          onLine: log.line,
          signal: log.signal,
        });
        return { artifactDir: artifact.dir, rootElementId: artifact.rootElementId, logTail: log.tail(), dependencies: artifact.dependencies, durationsMs: artifact.durationsMs };
      });
    },

    async startPreviewServer(input: ServeInput): Promise<ProviderRef> {
      return loggedActivity(ctx.publisher, input.topic, 'start', async (log) =>
        (await providerFor(input)).start({ ...input, onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    /** Removes what a resource name holds, whether or not its start ever reported back (compensation). */
    async removeResource(input: { organizationId: string; provider: ProviderName; resource: string }): Promise<void> {
      await (await providerFor(input)).remove(input.resource);
    },

    async deployRelease(input: ServeInput): Promise<ProviderRef> {
      return loggedActivity(ctx.publisher, input.topic, 'deploy', async (log) =>
        (await providerFor(input)).deploy({ ...input, onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    async rollbackRelease(input: ProviderTarget & { failed: ProviderRef | null; to: ProviderRef }): Promise<ProviderRef> {
      return loggedActivity(ctx.publisher, input.topic, 'rollback', async (log) =>
        (await providerFor(input)).rollback(input.failed, input.to, { onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    async destroyRelease(input: { organizationId: string; ref: ProviderRef }): Promise<void> {
      await (await providerFor({ organizationId: input.organizationId, provider: input.ref.provider })).destroy(input.ref);
    },

    /** A failed check is a verdict (final), carrying what was wrong and the server's last log lines. */
    async checkHealth(input: { organizationId: string; ref: ProviderRef; rootElementId: string; topic: Topic }): Promise<void> {
      // The local provider's servers are this host's own (loopback); any other provider's address passes the outbound guard.
      const policy = input.ref.provider === 'local' ? undefined : defaultOutboundPolicy();
      const report = await checkAppHealth(input.ref.url, { rootElementId: input.rootElementId, policy });
      const event = { type: 'health.check', data: { url: input.ref.url, ok: report.ok, problems: report.problems } };
      await appendEvents(ctx.orm.em.fork(), input.topic, [{ ...event, key: `${input.topic}:health.check:${input.ref.resource}:${report.ok}` }]);
      if (report.ok) return;
      const serverLog = await (await providerFor({ organizationId: input.organizationId, provider: input.ref.provider })).logs(input.ref, 20).catch(() => []);
      throw ApplicationFailure.create({
        type: DeliveryFailureType.healthCheckFailed,
        message: `The ${splitTopic(input.topic).kind} does not serve a working app: ${report.problems.join('; ')}`,
        nonRetryable: true,
        details: [{ logTail: [...report.problems, ...serverLog] } satisfies FailureDetails],
      });
    },

    removeBuild: ({ buildId }: { buildId: string }) => removeArtifact(ctx.paths, buildId),
  };
}
