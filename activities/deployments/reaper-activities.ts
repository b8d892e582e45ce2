import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Deployment, ProviderConfig } from '../../db/entities/index';
import { activeDeploymentStatuses } from '../../domain/deployments';
import { ownerOfResource, type ProviderName } from '../../domain/providers';
import { previewWorkflowId } from '../../domain/workflow-ids';
import { loadProvider } from '../providers/provider-registry';
import { deliveryContext, type DeliveryDeps } from './delivery-context';

export interface ReapResult {
  checked: number;
  removed: string[];
  /** Providers that could not be listed (unreachable, misconfigured): tried again next run. */
  skipped: string[];
}

/**
 * The reaper's sweep (agents queue, run by a Temporal Schedule): every provider resource Forge
 * named (`preview-<id>`, `deploy-<id>`) that no running preview workflow or live/in-progress
 * deployment owns is removed. That catches what a crash between "started" and "recorded", or a
 * failed compensation, left behind. The local provider's servers live on builders: the workflow
 * lists them there, asks `unownedResources` here, and removes the orphans there.
 */
export function createReaperActivities(deps: DeliveryDeps) {
  const ctx = deliveryContext(deps);

  async function owned(resource: string): Promise<boolean> {
    const owner = ownerOfResource(resource);
    if (!owner) return true; // not named by Forge: not ours to judge
    if (owner.kind === 'deployment') {
      const row = await ctx.orm.em.fork().findOne(Deployment, owner.id, { fields: ['status'] });
      return row !== null && (row.status === 'live' || activeDeploymentStatuses.includes(row.status));
    }
    try {
      const description = await Context.current().client.workflow.getHandle(previewWorkflowId(owner.id)).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return {
    /** Of the resources a builder runs, those nothing owns any more (the builder then removes them). */
    async unownedResources({ resources }: { resources: string[] }): Promise<string[]> {
      const orphans: string[] = [];
      for (const resource of resources) if (!(await owned(resource))) orphans.push(resource);
      return orphans;
    },

    async reapOrphanedResources(): Promise<ReapResult> {
      const configs = await ctx.orm.em.fork().find(ProviderConfig, {}, { fields: ['organization', 'provider'] });
      const targets: Array<{ organizationId: string; provider: ProviderName }> = configs
        .filter((c) => c.provider !== 'local')
        .map((c) => ({ organizationId: c.organization.id, provider: c.provider }));
      const result: ReapResult = { checked: 0, removed: [], skipped: [] };
      for (const target of targets) {
        const label = `${target.provider}@${target.organizationId}`;
        try {
          const provider = await loadProvider(ctx.orm.em.fork(), ctx.providers, target.organizationId, target.provider);
          for (const resource of await provider.list()) {
            result.checked += 1;
            Context.current().heartbeat(result.checked);
            if (await owned(resource)) continue;
            await provider.remove(resource);
            result.removed.push(`${label}:${resource}`);
          }
        } catch (err) {
          Context.current().log.warn('reaper: a provider could not be swept', { provider: label, error: (err as Error).message });
          result.skipped.push(label);
        }
      }
      return result;
    },
  };
}
