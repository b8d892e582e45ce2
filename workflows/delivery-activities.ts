import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BuildActivities, BuiltApp } from '../activities/builds/build-activities';
import type { createBuildChannelActivities } from '../activities/deployments/build-channel-activities';
import type { createProviderActivities } from '../activities/deployments/provider-activities';
import type { Topic } from '../domain/events';
import type { ProviderName, ProviderRef } from '../domain/providers';
import { buildsQueueFor } from '../domain/task-queues';
import { build, providerCall, providerRollout, storageWrite } from './activity-options';

type Providers = ReturnType<typeof createProviderActivities>;
const channel = proxyActivities<ReturnType<typeof createBuildChannelActivities>>(storageWrite);

/**
 * The activities a preview or deployment calls, each on the queue allowed to run it. Builders
 * (builds queue: no database, no secrets) build, serve local servers and run health checks; the
 * agents side (the workflow's own queue) loads the version's files for the build, records what the
 * builder reports, and calls the providers that need credentials.
 */
export function deliveryActivities(options: { waitForCancelledBuild?: boolean } = {}) {
  const agentsQueue = workflowInfo().taskQueue;
  const buildsQueue = buildsQueueFor(agentsQueue);
  // Waits for a cancelled build to really stop, so compensation never races a build still writing.
  const cancellation = options.waitForCancelledBuild ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {};
  const builder = proxyActivities<BuildActivities>({ ...build, taskQueue: buildsQueue, ...cancellation });
  const builderCall = proxyActivities<BuildActivities>({ ...providerCall, taskQueue: buildsQueue });
  const queueOf = (provider: ProviderName) => (provider === 'local' ? buildsQueue : agentsQueue);
  const rollout = (provider: ProviderName) => proxyActivities<Providers>({ ...providerRollout, taskQueue: queueOf(provider) });
  const call = (provider: ProviderName) => proxyActivities<Providers>({ ...providerCall, taskQueue: queueOf(provider) });

  return {
    /** The files go agents -> builder in activity payloads (capped: BUILD_FILES_MAX_BYTES); the stages are recorded once it built. */
    async buildVersion(input: { buildId: string; topic: Topic; projectId: string; version: number }): Promise<BuiltApp> {
      const files = await channel.loadBuildFiles({ projectId: input.projectId, version: input.version });
      const app = await builder.buildVersion({ buildId: input.buildId, version: input.version, files });
      await channel.recordBuildStages({ topic: input.topic, app });
      return app;
    },
    startPreviewServer: (input: Parameters<Providers['startPreviewServer']>[0]) => rollout(input.provider).startPreviewServer(input),
    deployRelease: (input: Parameters<Providers['deployRelease']>[0]) => rollout(input.provider).deployRelease(input),
    rollbackRelease: (input: Parameters<Providers['rollbackRelease']>[0]) => rollout(input.provider).rollbackRelease(input),
    destroyRelease: (input: { organizationId: string; ref: ProviderRef }) => call(input.ref.provider).destroyRelease(input),
    removeResource: (input: { organizationId: string; provider: ProviderName; resource: string }) => call(input.provider).removeResource(input),
    /** Checked on a builder (tenant HTML is parsed there), recorded on the agents side, which fails the delivery if it is unhealthy. */
    async checkHealth(input: { organizationId: string; ref: ProviderRef; rootElementId: string; topic: Topic }): Promise<void> {
      const verdict = await builderCall.checkHealth({ ref: input.ref, rootElementId: input.rootElementId });
      await channel.recordHealthCheck({ ...input, verdict });
    },
    removeBuild: (input: { buildId: string }) => builder.removeBuild(input),
  };
}
