import type OpenAI from 'openai';
import * as buildProbe from '../activities/builds/workspace-probe';
import { createJobActivities } from '../activities/agents/job-activities';
import { createCheckActivities } from '../activities/codegen/check-activities';
import { createCodegenActivities } from '../activities/codegen/codegen-activities';
import { createBuilderActivities } from '../activities/deployments/builder-activities';
import { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import { createReaperActivities } from '../activities/deployments/reaper-activities';
import { createDeltaPublisher } from '../activities/events/publish-deltas';
import { createLlmClient } from '../activities/llm/index';
import { createStackCheckActivities } from '../activities/system/stack-check';
import { readBlobs } from '../db/repositories/blobs';
import type { MikroORM } from '../db/orm';
import type { WorkerConfig } from '../domain/config';
import type { Topic } from '../domain/events';
import type { FileHashes } from '../domain/agent-workflows';

export interface ActivityDeps {
  orm: MikroORM;
  config: WorkerConfig;
  /** Defaults to a client built from config (offline model server when no key is set). */
  llm?: OpenAI;
  publishDelta?: (topic: string, data: Record<string, unknown>) => void;
}

/** File contents for a path -> hash map, read from the blob store. */
const readFilesFrom = (orm: MikroORM) => async (files: FileHashes): Promise<Record<string, string>> => {
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
  const delivery = { orm: deps.orm, config: deps.config, publisher };
  // LLM tokens go live as transient `delta` events on the job's topic (never stored one by one).
  const publishDelta = deps.publishDelta ?? ((topic: string, data: Record<string, unknown>) => publisher.publish(topic as Topic, { type: 'delta', data }));
  return {
    agents: {
      ...createStackCheckActivities(deps),
      ...createJobActivities(deps),
      ...createCodegenActivities({ orm: deps.orm, llm, config: deps.config, publishDelta }),
      ...createDeliveryRecordActivities(deps),
    },
    builds: {
      ...buildProbe,
      ...createCheckActivities({ readFiles: readFilesFrom(deps.orm) }),
      ...createBuilderActivities(delivery),
      ...createReaperActivities(delivery),
    },
  };
}
export type WorkerActivities = ReturnType<typeof createWorkerActivities>;
