import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentWorkflowInput } from '../../domain/deployments';
import { deployWorkflowId } from '../../domain/workflow-ids';
import { deploymentWorkflow } from '../../workflows/deployment';
import { callNames, createFakes, finalFailure, refFor, slowed, type Fakes } from '../support/fake-activities';
import { expectProgressTrail } from '../support/progress-trail';
import { openWorkflowHarness, terminateQuietly, until, type WorkflowHarness } from '../support/workflow-harness';

let harness: WorkflowHarness;
beforeAll(async () => { harness = await openWorkflowHarness(); });
afterAll(async () => harness?.close());

const previousLive = { deploymentId: randomUUID(), providerRef: refFor('deploy-previous', 5998) };

async function startDeployment(script: (fakes: Fakes) => void = () => undefined) {
  const fakes = createFakes();
  script(fakes);
  const workers = await harness.workersFor(fakes);
  const input: DeploymentWorkflowInput = { deploymentId: randomUUID(), projectId: randomUUID(), organizationId: randomUUID(), version: 2, provider: 'local' };
  const handle = await harness.client.workflow.start(deploymentWorkflow, { workflowId: deployWorkflowId(input.deploymentId), taskQueue: workers.queues.agents, args: [input] });
  const statuses = () => fakes.log.filter((c) => c.name === 'recordDeployment' && c.input.deploymentId === input.deploymentId && c.input.patch.status).map((c) => c.input.patch.status as string);
  const last = () => fakes.log.filter((c) => c.name === 'recordDeployment' && c.input.deploymentId === input.deploymentId).at(-1)!.input.patch;
  const cancelWhen = async (step: string) => {
    await until(`${step} to start`, () => callNames(fakes.log).includes(step));
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  };
  return { fakes, handle, statuses, last, cancelWhen, cleanup: async () => { await terminateQuietly(handle); await workers.stop(); } };
}

const withPrevious = (fakes: Fakes) => { fakes.records = { ...fakes.records, findLiveDeployment: async () => previousLive }; };

describe('deployment workflow', () => {
  it('builds, deploys, checks and promotes; the release it replaces is freed', async () => {
    const d = await startDeployment((fakes) => { fakes.records = { ...fakes.records, findLiveDeployment: async () => previousLive, promoteDeployment: async () => previousLive }; });
    try {
      await expect(d.handle.result()).resolves.toMatchObject({ status: 'live', supersededDeploymentId: previousLive.deploymentId });
      expect(d.statuses()).toEqual(['building', 'deploying']);
      await expectProgressTrail(d.handle, d.fakes.log, 'recordDeployment', 'live');
      expect(callNames(d.fakes.log, ['destroyRelease', 'removeBuild'])).toEqual(['destroyRelease', 'removeBuild']);
      expect(d.fakes.log.find((c) => c.name === 'destroyRelease')!.input.ref).toEqual(previousLive.providerRef);
    } finally {
      await d.cleanup();
    }
  });

  it('rolls back to the live deployment when the health check fails', async () => {
    const d = await startDeployment((fakes) => {
      withPrevious(fakes);
      fakes.builder = { ...fakes.builder, checkHealth: async () => { throw finalFailure('health_check_failed', 'blank page'); } };
    });
    try {
      await expect(d.handle.result()).resolves.toMatchObject({ status: 'rolled_back', rolledBackTo: previousLive.deploymentId, error: { code: 'health_check_failed' } });
      expect(d.fakes.log.find((c) => c.name === 'rollbackRelease')!.input.to).toEqual(previousLive.providerRef);
      expect(d.statuses()).toEqual(['building', 'deploying', 'rolled_back']);
      expect(callNames(d.fakes.log)).not.toContain('promoteDeployment');
    } finally {
      await d.cleanup();
    }
  });

  it('removes what it created and fails when there is nothing to roll back to', async () => {
    const d = await startDeployment((fakes) => {
      fakes.builder = { ...fakes.builder, checkHealth: async () => { throw finalFailure('health_check_failed', 'blank page'); } };
    });
    try {
      await expect(d.handle.result()).resolves.toMatchObject({ status: 'failed', error: { code: 'health_check_failed' } });
      expect(callNames(d.fakes.log, ['destroyRelease', 'removeBuild', 'rollbackRelease'])).toEqual(['destroyRelease', 'removeBuild']);
      expect(d.statuses()).toEqual(['building', 'deploying', 'failed']);
    } finally {
      await d.cleanup();
    }
  });

  it('ends failed when its rollback fails too, naming both failures', async () => {
    const d = await startDeployment((fakes) => {
      withPrevious(fakes);
      fakes.builder = {
        ...fakes.builder,
        deployRelease: async () => { throw finalFailure('provider_rejected', 'bad settings'); },
        rollbackRelease: async () => { throw finalFailure('provider_rejected', 'still bad'); },
      };
    });
    try {
      const outcome = await d.handle.result();
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'provider_rejected' } });
      expect(outcome.status === 'failed' && outcome.error.message).toContain('then the rollback');
    } finally {
      await d.cleanup();
    }
  });

  it('ends failed (cancelled), not `building`, when cancelled during the build', async () => {
    const d = await startDeployment((fakes) => { fakes.builder = { ...fakes.builder, buildVersion: slowed(fakes.builder.buildVersion, 3_000) }; });
    try {
      await d.cancelWhen('buildVersion');
      expect(d.last()).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      expect(callNames(d.fakes.log, ['removeBuild', 'deployRelease'])).toEqual(['removeBuild']);
    } finally {
      await d.cleanup();
    }
  });

  it('removes the half-made release and ends failed (cancelled), not `deploying`, when cancelled while deploying', async () => {
    const d = await startDeployment((fakes) => { fakes.builder = { ...fakes.builder, deployRelease: slowed(fakes.builder.deployRelease, 3_000) }; });
    try {
      await d.cancelWhen('deployRelease');
      expect(d.last()).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      expect(callNames(d.fakes.log, ['removeResource', 'removeBuild'])).toEqual(['removeResource', 'removeBuild']);
    } finally {
      await d.cleanup();
    }
  });

  it('rolls back to the live deployment when cancelled during the health check', async () => {
    const d = await startDeployment((fakes) => {
      withPrevious(fakes);
      fakes.builder = { ...fakes.builder, checkHealth: slowed(fakes.builder.checkHealth, 3_000) };
    });
    try {
      await d.cancelWhen('checkHealth');
      expect(d.last()).toMatchObject({ status: 'rolled_back', error: { code: 'cancelled' } });
      expect(callNames(d.fakes.log, ['rollbackRelease', 'promoteDeployment'])).toEqual(['rollbackRelease']);
    } finally {
      await d.cleanup();
    }
  });
});
