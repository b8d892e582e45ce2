import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { deployWorkflowId, jobWorkflowId, previewWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { deploymentWorkflow } from '../../workflows/deployment';
import { previewWorkflow } from '../../workflows/preview';
import { previewReaperWorkflow } from '../../workflows/preview-reaper';
import { destroyPreviewUpdate, extendPreviewUpdate, previewStateQuery } from '../../workflows/preview-signals';
import { closeSessionSignal } from '../../workflows/session-signals';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { createFakes, finalFailure, refFor, slowed, type Fakes } from '../support/fake-activities';
import { historyToJson } from '../support/history-json';
import { recordedHistoryUrl, type RecordedHistory } from '../support/recorded-histories';

// Writes session, fullJob and questionJob only; the *Before* histories are kept as recorded.
import { scriptMissingHookImport } from '../support/scripted-type-error';
import { openWorkflowHarness, until } from '../support/workflow-harness';

/**
 * Records the histories that codegen-replay.test.ts replays: a real session on the real stack,
 * whose first job visits every stage (intent, questions, plan, approval, generate, check, fix,
 * save) and whose second is a question; and the delivery workflows (preview, deployment, reaper)
 * on the workflow-test harness, their activities faked, so each branch is recorded on purpose.
 * Not a test of its own: `tsx scripts/record-histories.ts [name pattern]` runs it (its name keeps
 * it out of `npm test`) after a deliberate, replay-breaking workflow change.
 */

let stack: CodegenStack;
afterAll(async () => stack?.close());

it('records a session whose jobs cover every stage', async () => {
  stack = await startCodegenStack();
  const { app, roles } = stack;
  const token = roles.editor.token;
  const projectId = await stack.newProject();
  const sessionId = await stack.startSession(projectId, { requireApproval: true, generateConcurrency: 1 });
  const waitingAt = (stage: JobDto['stage']) => (j: JobDto) => (j.status === 'waiting' && j.stage === stage) || ['completed', 'failed', 'cancelled'].includes(j.status);

  // Two words are too few to act on: the router asks what to build.
  const first = await stack.send(sessionId, 'Counter app');
  expect((await stack.waitForJob(first.id, waitingAt('questions'))).stage).toBe('questions');
  expect((await app.call('POST', `/jobs/${first.id}/answer`, { token, body: { answer: 'A counter with plus and minus buttons' } })).status).toBe(202);
  const planned = await stack.waitForJob(first.id, waitingAt('approval'));
  expect(planned.stage).toBe('approval');

  // The counter comes back without its hook import, so the check fails once and the fixer repairs it.
  scriptMissingHookImport(stack.model, planned.plan!.files.map((f) => f.path));
  expect((await app.call('POST', `/jobs/${first.id}/approve`, { token })).status).toBe(202);
  const done = await stack.waitForJob(first.id);
  expect(done.status).toBe('completed');

  const events = await app.call('GET', `/topics/job:${first.id}/events?afterSeq=0`, { token });
  const stages = events.body.items.filter((e: { type: string }) => e.type === 'job.stage').map((e: { data: { stage: string } }) => e.data.stage);
  expect(stages).toEqual(['intent', 'questions', 'intent', 'plan', 'approval', 'generate', 'check', 'fix', 'check', 'save']);

  const second = await stack.send(sessionId, 'What files does my app have?');
  expect(await stack.waitForJob(second.id)).toMatchObject({ status: 'completed', intent: 'question' });

  const session = stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId));
  await session.signal(closeSessionSignal);
  await session.result();

  const save = async (name: RecordedHistory, workflowId: string) => {
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(recordedHistoryUrl(name), `${historyToJson(history)}\n`);
  };
  await save('session', sessionWorkflowId(sessionId));
  await save('fullJob', jobWorkflowId(first.id));
  await save('questionJob', jobWorkflowId(second.id));
}, 120_000);

it('records a preview, deployments (live, rolled back, cancelled) and a reaper sweep', async () => {
  const harness = await openWorkflowHarness();
  const save = async (name: RecordedHistory, handle: WorkflowHandle) => writeFileSync(recordedHistoryUrl(name), `${historyToJson(await handle.fetchHistory())}\n`);
  const ids = () => ({ projectId: randomUUID(), organizationId: randomUUID() });
  const previous = { deploymentId: randomUUID(), providerRef: refFor('deploy-previous') };
  /** Fresh fake workers scripted by `script`; `run` starts its workflows on their queue. */
  const withWorkers = async (script: (fakes: Fakes) => void, run: (taskQueue: string, fakes: Fakes) => Promise<void>) => {
    const fakes = createFakes();
    script(fakes);
    const workers = await harness.workersFor(fakes);
    try {
      await run(workers.queues.agents, fakes);
    } finally {
      await workers.stop();
    }
  };
  const deploy = (taskQueue: string) => {
    const deploymentId = randomUUID();
    return harness.client.workflow.start(deploymentWorkflow, { workflowId: deployWorkflowId(deploymentId), taskQueue, args: [{ deploymentId, version: 2, provider: 'local', ...ids() }] });
  };
  try {
    // A preview that goes live, is extended, then deleted; a reaper sweep.
    await withWorkers(() => undefined, async (taskQueue) => {
      const previewId = randomUUID();
      const preview = await harness.client.workflow.start(previewWorkflow, { workflowId: previewWorkflowId(previewId), taskQueue, args: [{ previewId, version: 1, ttlSeconds: 600, ...ids() }] });
      await until('the preview to be live', async () => (await preview.query(previewStateQuery)).status === 'live');
      await preview.executeUpdate(extendPreviewUpdate, { args: [{ ttlSeconds: 900 }] });
      await preview.executeUpdate(destroyPreviewUpdate);
      expect(await preview.result()).toEqual({ status: 'destroyed', reason: 'deleted' });
      await save('preview', preview);
      const reaper = await harness.client.workflow.start(previewReaperWorkflow, { workflowId: `reaper-${randomUUID()}`, taskQueue });
      expect(await reaper.result()).toEqual({ checked: 0, removed: [], skipped: [] });
      await save('reaper', reaper);
    });
    // A deployment promoted over the live one, which it frees.
    await withWorkers((fakes) => {
      fakes.records = { ...fakes.records, findLiveDeployment: async () => previous, promoteDeployment: async () => previous };
    }, async (taskQueue) => {
      const promoted = await deploy(taskQueue);
      expect(await promoted.result()).toMatchObject({ status: 'live', supersededDeploymentId: previous.deploymentId });
      await save('deployment', promoted);
    });
    // One whose health check fails after another was live: rolled back.
    await withWorkers((fakes) => {
      fakes.records = { ...fakes.records, findLiveDeployment: async () => previous };
      fakes.builder = { ...fakes.builder, checkHealth: async () => { throw finalFailure('health_check_failed', 'blank page'); } };
    }, async (taskQueue) => {
      const rolledBack = await deploy(taskQueue);
      expect(await rolledBack.result()).toMatchObject({ status: 'rolled_back' });
      await save('deploymentRolledBack', rolledBack);
    });
    // One cancelled by an operator while deploying: undone, then cancelled.
    await withWorkers((fakes) => {
      fakes.builder = { ...fakes.builder, deployRelease: slowed(fakes.builder.deployRelease, 3_000) };
    }, async (taskQueue, fakes) => {
      const cancelled = await deploy(taskQueue);
      await until('the deploy to start', () => fakes.log.some((c) => c.name === 'deployRelease'));
      await cancelled.cancel();
      await expect(cancelled.result()).rejects.toThrow();
      await save('deploymentCancelled', cancelled);
    });
  } finally {
    await harness.close();
  }
}, 120_000);
