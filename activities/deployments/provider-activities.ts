import type { ProviderRef } from '../../domain/providers';
import type { ProviderTarget, ServeInput } from '../builds/build-activities';
import { loadProvider } from '../providers/provider-registry';
import { deliveryContext, type DeliveryDeps } from './delivery-context';
import { loggedActivity } from './logged-activity';

/**
 * Hosting providers with credentials (docker, render, railway), on the agents queue: the secrets
 * are opened here and never reach a builder. The built `dist/` is read from the shared artifacts
 * directory (a volume the builder writes and this side only reads and ships: it never runs it).
 * The local provider's twins of these activities run on builders (build-activities.ts); workflows
 * pick the queue by provider (workflows/delivery-activities.ts).
 */
export function createProviderActivities(deps: DeliveryDeps) {
  const ctx = deliveryContext(deps);
  const providerFor = (target: ProviderTarget) => loadProvider(ctx.orm.em.fork(), ctx.providers, target.organizationId, target.provider);
  const live = (input: { topic?: ServeInput['topic'] }) => (input.topic ? { publisher: ctx.publisher, topic: input.topic } : null);

  return {
    async startPreviewServer(input: ServeInput): Promise<ProviderRef> {
      return loggedActivity(live(input), 'start', async (log) =>
        (await providerFor(input)).start({ ...input, onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    async deployRelease(input: ServeInput): Promise<ProviderRef> {
      return loggedActivity(live(input), 'deploy', async (log) =>
        (await providerFor(input)).deploy({ ...input, onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    async rollbackRelease(input: ProviderTarget & { topic?: ServeInput['topic']; failed: ProviderRef | null; to: ProviderRef }): Promise<ProviderRef> {
      return loggedActivity(live(input), 'rollback', async (log) =>
        (await providerFor(input)).rollback(input.failed, input.to, { onLine: log.line, onProgress: log.heartbeat, signal: log.signal }),
      );
    },

    async destroyRelease(input: { organizationId: string; ref: ProviderRef }): Promise<void> {
      await (await providerFor({ organizationId: input.organizationId, provider: input.ref.provider })).destroy(input.ref);
    },

    /** Removes what a resource name holds, whether or not its start ever reported back (compensation). */
    async removeResource(input: ProviderTarget & { resource: string }): Promise<void> {
      await (await providerFor(input)).remove(input.resource);
    },
  };
}
