import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import type { EventDraft } from '../../domain/agent-workflows';
import { ForgeStage } from '../../workflows/search-attributes';
import type { ActivityCall } from './fake-activities';

/**
 * Checks what workflows/progress.ts leaves behind a finished run: every event that `activity`
 * recorded keyed `<workflowId>:<runId>:<n>`, numbered 1, 2, ... in order (the one key format of
 * jobs, previews and deployments), and `ForgeStage` at the stage the run ended in.
 */
export async function expectProgressTrail(handle: WorkflowHandle, log: ActivityCall[], activity: string, finalStage: string): Promise<void> {
  const { runId, typedSearchAttributes } = await handle.describe();
  const keys = log.filter((c) => c.name === activity).flatMap((c) => (c.input.events as EventDraft[]).map((e) => e.key));
  expect(keys.length).toBeGreaterThan(2);
  expect(keys).toEqual(keys.map((_, i) => `${handle.workflowId}:${runId}:${i + 1}`));
  expect(typedSearchAttributes.get(ForgeStage)).toBe(finalStage);
}
