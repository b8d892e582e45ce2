import type OpenAI from 'openai';
import { createFileSetResolver } from '../activities/agents/file-sets';
import { createJobActivities } from '../activities/agents/job-activities';
import { createBuildActivities } from '../activities/builds/build-activities';
import { createCodegenActivities } from '../activities/codegen/codegen-activities';
import { createBuildChannelActivities } from '../activities/deployments/build-channel-activities';
import { deliveryContext } from '../activities/deployments/delivery-context';
import { createProviderActivities } from '../activities/deployments/provider-activities';
import { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import { createReaperActivities } from '../activities/deployments/reaper-activities';
import { createDeltaPublisher } from '../activities/events/publish-deltas';
import { createGithubActivities } from '../activities/github/github-activities';
import { createGithubHeadSync } from '../activities/github/sync-head';
import { createLlmClient } from '../activities/llm/index';
import { createProjectDeletionActivities } from '../activities/projects/deletion-activities';
import { createStackCheckActivities } from '../activities/system/stack-check';
import type { MikroORM } from '../db/orm';
import { BuilderConfig, type WorkerConfig } from '../domain/config';
import type { Topic } from '../domain/events';

export interface ActivityDeps {
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to a client built from config (offline model server when no key is set). */
  llm?: OpenAI;
  publishDelta?: (topic: string, data: Record<string, unknown>) => void;
}

/**
 * The agents worker's activities (`forge-agents`): LLM, storage, providers with credentials and
 * all bookkeeping, next to the workflows. None of them runs or parses tenant code: that is the
 * builder's (createBuildActivities, `forge-builds`). A new activity module is one spread here or there.
 */
export function createAgentActivities(deps: ActivityDeps) {
  const llm = deps.llm ?? createLlmClient(deps.config);
  const publisher = createDeltaPublisher({ orm: deps.orm });
  // One per process: every activity that resolves a job's FileTree shares its version listings.
  const fileSets = createFileSetResolver(deps.orm);
  const delivery = { orm: deps.orm, config: deps.config, publisher };
  // LLM tokens go live as transient `delta` events on the job's topic (never stored one by one).
  const publishDelta = deps.publishDelta ?? ((topic: string, data: Record<string, unknown>) => publisher.publish(topic as Topic, { type: 'delta', data }));
  const jobs = createJobActivities({ orm: deps.orm, fileSets, syncHead: createGithubHeadSync(deps) });
  return {
    ...createStackCheckActivities(deps),
    ...jobs,
    ...createCodegenActivities({ orm: deps.orm, llm, config: deps.config, publishDelta, flushDeltas: () => publisher.flush(), resolveFiles: fileSets.resolve, reportJob: jobs.reportJob }),
    ...createDeliveryRecordActivities(deps),
    ...createProjectDeletionActivities(deps),
    ...createGithubActivities(deps),
    ...createBuildChannelActivities({ orm: deps.orm, providers: deliveryContext(delivery).providers, resolveFiles: fileSets.resolve }),
    ...createProviderActivities(delivery),
    ...createReaperActivities(delivery),
  };
}

/**
 * Both sides in one object, for tests and benchmarks that run agents and builder workers in one
 * process. Production never does: worker/main.ts serves `agents`, worker/builder-main.ts `builds`.
 */
export function createWorkerActivities(deps: ActivityDeps) {
  return { agents: createAgentActivities(deps), builds: createBuildActivities(BuilderConfig.parse(deps.config)) };
}
export type WorkerActivities = ReturnType<typeof createWorkerActivities>;
