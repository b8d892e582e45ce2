import type OpenAI from 'openai';
import * as buildProbe from '../activities/builds/workspace-probe';
import { withTypedFailures } from '../activities/activity-failure';
import { createJobActivities } from '../activities/agents/job-activities';
import { createCheckActivities } from '../activities/codegen/check-activities';
import { createCodegenActivities } from '../activities/codegen/codegen-activities';
import { createBuilderActivities } from '../activities/deployments/builder-activities';
import { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import { createReaperActivities } from '../activities/deployments/reaper-activities';
import { createDeltaPublisher } from '../activities/events/publish-deltas';
import { createLlmClient } from '../activities/llm/index';
import { createGithubActivities } from '../activities/github/github-activities';
import { createGithubHeadSync } from '../activities/github/sync-head';
import { createProjectDeletionActivities } from '../activities/projects/deletion-activities';
import { createStackCheckActivities } from '../activities/system/stack-check';
import { readBlobs } from '../db/repositories/blobs';
import type { MikroORM } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import type { Topic } from '../domain/events';
import type { FileSet } from '../domain/agent-workflows';
import { createFileSetResolver, type ResolveFiles } from '../activities/agents/file-sets';

export interface ActivityDeps {
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to a client built from config (offline model server when no key is set). */
  llm?: OpenAI;
  publishDelta?: (topic: string, data: Record<string, unknown>) => void;
}

/** File contents for a file set, read from the blob store. */
const readFilesFrom = (orm: MikroORM, resolve: ResolveFiles) => async (set: FileSet): Promise<Record<string, string>> => {
  const files = await resolve(set);
  const blobs = await readBlobs(orm.em.fork(), Object.values(files));
  return Object.fromEntries(Object.entries(files).map(([path, hash]) => [path, blobs.get(hash) ?? '']));
};

/**
 * Which activities each task queue serves. LLM and storage activities run next to the workflows
 * on `agents`; CPU-heavy ones (compile checks, preview builds) go to `builds`, whose concurrency
 * is capped separately. A new activity module is one spread in one of these lists.
 */
export function createWorkerActivities(deps: ActivityDeps) {
  const llm = deps.llm ?? createLlmClient(deps.config);
  const publisher = createDeltaPublisher({ orm: deps.orm });
  // One per process: every activity that resolves a job's FileTree shares its version listings.
  const fileSets = createFileSetResolver(deps.orm);
  const delivery = { orm: deps.orm, config: deps.config, publisher };
  // LLM tokens go live as transient `delta` events on the job's topic (never stored one by one).
  const publishDelta = deps.publishDelta ?? ((topic: string, data: Record<string, unknown>) => publisher.publish(topic as Topic, { type: 'delta', data }));
  // One boundary: every failure leaves an activity typed by domain/errors.ts's table.
  return {
    agents: withTypedFailures({
      ...createStackCheckActivities(deps),
      ...createJobActivities({ orm: deps.orm, fileSets, syncHead: createGithubHeadSync(deps) }),
      ...createCodegenActivities({ orm: deps.orm, llm, config: deps.config, publishDelta, resolveFiles: fileSets.resolve }),
      ...createDeliveryRecordActivities(deps),
      ...createProjectDeletionActivities(deps),
      ...createGithubActivities(deps),
    }),
    builds: withTypedFailures({
      ...buildProbe,
      ...createCheckActivities({ readFiles: readFilesFrom(deps.orm, fileSets.resolve) }),
      ...createBuilderActivities(delivery),
      ...createReaperActivities(delivery),
    }),
  };
}
export type WorkerActivities = ReturnType<typeof createWorkerActivities>;
