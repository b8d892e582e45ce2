import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewWorkflowInput } from '../../domain/preview-workflow-input';
import { previewWorkflowId } from '../../domain/workflow-ids';
import { previewWorkflow } from '../../workflows/preview';
import { destroyPreviewUpdate, extendPreviewUpdate, previewStateQuery } from '../../workflows/preview-signals';
import { activityPause, callNames, createFakes, finalFailure, slowed, type Fakes } from '../support/fake-activities';
import { expectProgressTrail } from '../support/progress-trail';
import { openWorkflowHarness, terminateQuietly, until, type WorkflowHarness } from '../support/workflow-harness';

let harness: WorkflowHarness;
beforeAll(async () => { harness = await openWorkflowHarness(); });
afterAll(async () => harness?.close());

const previewInput = (overrides: Partial<PreviewWorkflowInput> = {}): PreviewWorkflowInput => ({
  previewId: randomUUID(),
  projectId: randomUUID(),
  organizationId: randomUUID(),
  version: 1,
  ttlSeconds: 600,
  ...overrides,
});

async function startPreview(input: PreviewWorkflowInput, script: (fakes: Fakes) => void = () => undefined) {
  const fakes = createFakes();
  script(fakes);
  const workers = await harness.workersFor(fakes);
  const handle = await harness.client.workflow.start(previewWorkflow, { workflowId: previewWorkflowId(input.previewId), taskQueue: workers.queues.agents, args: [input] });
  const reports = () => fakes.log.filter((c) => c.name === 'recordPreview').map((c) => c.input.patch);
  const live = () => until('the preview to be live', async () => (await handle.query(previewStateQuery)).status === 'live');
  return { fakes, handle, reports, live, cleanup: async () => { await terminateQuietly(handle); await workers.stop(); } };
}

describe('preview workflow', () => {
  it('fails the workflow on invalid input, instead of retrying its first task forever', async () => {
    const p = await startPreview({ ...previewInput(), previewId: 'not-a-uuid', ttlSeconds: -5 });
    try {
      const outcome = await Promise.race([p.handle.result().catch((e: unknown) => e), new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
      expect(outcome).toBeInstanceOf(WorkflowFailedError);
      expect(((outcome as WorkflowFailedError).cause as ApplicationFailure).type).toBe('invalid_input');
      expect(p.fakes.log).toEqual([]);
    } finally {
      await p.cleanup();
    }
  });

  it('expires after its lifetime and removes what it started', async () => {
    const p = await startPreview(previewInput({ ttlSeconds: 2 }));
    try {
      await expect(p.handle.result()).resolves.toEqual({ status: 'destroyed', reason: 'expired' });
      expect(p.reports().map((r) => r.status ?? 'extend')).toEqual(['building', 'starting', 'live', 'destroyed']);
      await expectProgressTrail(p.handle, p.fakes.log, 'recordPreview', 'destroyed');
      expect(callNames(p.fakes.log, ['removeResource', 'removeBuild'])).toEqual(['removeResource', 'removeBuild']);
    } finally {
      await p.cleanup();
    }
  });

  it('restarts its lifetime on extend', async () => {
    const p = await startPreview(previewInput({ ttlSeconds: 3 }));
    try {
      await p.live();
      const before = (await p.handle.query(previewStateQuery)).expiresAt!;
      await new Promise((r) => setTimeout(r, 1_500));
      const extended = await p.handle.executeUpdate(extendPreviewUpdate, { args: [{ ttlSeconds: 4 }] });
      expect(Date.parse(extended.expiresAt!)).toBeGreaterThan(Date.parse(before));
      await expect(p.handle.result()).resolves.toEqual({ status: 'destroyed', reason: 'expired' });
      expect(p.reports().at(-2)).toMatchObject({ ttlSeconds: 4 });
    } finally {
      await p.cleanup();
    }
  });

  it('lets an extend in flight finish before the delete records `destroyed`, and refuses extends once deleting', async () => {
    const done: string[] = [];
    const p = await startPreview(previewInput(), (fakes) => {
      const record = fakes.records.recordPreview;
      fakes.records = {
        ...fakes.records,
        recordPreview: async (input) => {
          await record(input);
          if (input.patch.status === undefined) await activityPause(1_500); // the extend's write is slow
          done.push(input.patch.status ?? 'extend');
        },
      };
    });
    try {
      await p.live();
      const extend = p.handle.executeUpdate(extendPreviewUpdate, { args: [{}] });
      await until('the extend to be writing', () => p.reports().some((r) => r.status === undefined));
      await p.handle.executeUpdate(destroyPreviewUpdate);
      const late = await p.handle.executeUpdate(extendPreviewUpdate, { args: [{}] }).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(WorkflowUpdateFailedError);
      await extend;
      await expect(p.handle.result()).resolves.toEqual({ status: 'destroyed', reason: 'deleted' });
      expect(done.slice(-2)).toEqual(['extend', 'destroyed']);
    } finally {
      await p.cleanup();
    }
  });

  it('stops a build in progress on delete and never starts the server', async () => {
    const p = await startPreview(previewInput(), (fakes) => {
      fakes.builder = { ...fakes.builder, buildVersion: slowed(fakes.builder.buildVersion, 2_000) };
    });
    try {
      // The build activity itself, not the `building` report before it: a delete that lands before
      // the build starts has nothing to remove.
      await until('the build to start', () => callNames(p.fakes.log).includes('buildVersion'));
      await p.handle.executeUpdate(destroyPreviewUpdate);
      await expect(p.handle.result()).resolves.toEqual({ status: 'destroyed', reason: 'deleted' });
      expect(callNames(p.fakes.log)).not.toContain('startPreviewServer');
      expect(callNames(p.fakes.log, ['removeBuild'])).toEqual(['removeBuild']);
      expect(p.reports().at(-1)).toMatchObject({ status: 'destroyed' });
    } finally {
      await p.cleanup();
    }
  });

  it('records a failed health check as `failed` with its type, after removing the server', async () => {
    const p = await startPreview(previewInput(), (fakes) => {
      fakes.builder = { ...fakes.builder, checkHealth: async () => { throw finalFailure('health_check_failed', 'blank page'); } };
    });
    try {
      await expect(p.handle.result()).resolves.toMatchObject({ status: 'failed', error: { code: 'health_check_failed' } });
      expect(callNames(p.fakes.log, ['removeResource', 'removeBuild'])).toEqual(['removeResource', 'removeBuild']);
      expect(p.reports().at(-1)).toMatchObject({ status: 'failed', error: { code: 'health_check_failed' } });
    } finally {
      await p.cleanup();
    }
  });

  it('removes what it started when the workflow is cancelled while live', async () => {
    const p = await startPreview(previewInput());
    try {
      await p.live();
      await p.handle.cancel();
      await expect(p.handle.result()).resolves.toEqual({ status: 'destroyed', reason: 'deleted' });
      expect(callNames(p.fakes.log, ['removeResource', 'removeBuild'])).toEqual(['removeResource', 'removeBuild']);
    } finally {
      await p.cleanup();
    }
  });
});
