import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { setCurrentVersion, type WorkerBuild } from '../../worker/versioning';
import { codegenApi, waitingAt } from '../support/codegen-api';
import { isTerminal, startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import type { RunningWorkers } from '../support/test-workers';

/**
 * A rollout under Worker Versioning: build A runs a job that waits for an answer; build B starts
 * next to it and becomes current. New work goes to B, the waiting job stays pinned to A and
 * finishes there, and its session (AUTO_UPGRADE) runs its next message on B.
 */

let stack: CodegenStack;
const running: RunningWorkers[] = [];
beforeAll(async () => {
  stack = await startCodegenStack({ workers: false });
});
afterAll(async () => {
  await Promise.allSettled(running.map((w) => w.stop()));
  await stack?.close();
});

const versioning = async (handle: WorkflowHandle) => {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId };
};
/** Build ids of the workers that completed each of the run's workflow tasks. */
const taskBuilds = async (handle: WorkflowHandle) => {
  const events = (await handle.fetchHistory()).events ?? [];
  return [...new Set(events.flatMap((e) => e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId] : []))];
};

it('keeps a pinned job on the build that started it while new work goes to the new current build', async () => {
  const api = codegenApi(stack);
  const deploymentName = `${stack.taskQueuePrefix}forge`;
  const a: WorkerBuild = { deploymentName, buildId: 'build-a' };
  const b: WorkerBuild = { deploymentName, buildId: 'build-b' };
  running.push(await stack.startWorkers(a));
  await setCurrentVersion(stack.env.client, a);

  const sessionId = await stack.startSession(await stack.newProject());
  const pinned = await stack.send(sessionId, 'Build something');
  expect(await stack.waitForJob(pinned.id, waitingAt('questions'))).toMatchObject({ status: 'waiting' });

  running.push(await stack.startWorkers(b));
  await setCurrentVersion(stack.env.client, b);
  const other = await stack.send(await stack.startSession(await stack.newProject()), 'Build a todo app where I can add and remove tasks');
  expect(await stack.waitForJob(other.id)).toMatchObject({ status: 'completed', resultVersion: 1 });

  expect((await api.command(pinned.id, 'answer', { answer: 'A counter with a reset button' })).status).toBe(202);
  expect(await stack.waitForJob(pinned.id)).toMatchObject({ status: 'completed', resultVersion: 1, error: null });

  const pinnedJob = stack.env.client.workflow.getHandle(jobWorkflowId(pinned.id));
  const otherJob = stack.env.client.workflow.getHandle(jobWorkflowId(other.id));
  // VersioningBehavior enum: 1 PINNED, 2 AUTO_UPGRADE.
  expect(await versioning(pinnedJob)).toEqual({ behavior: 1, buildId: 'build-a' });
  expect(await taskBuilds(pinnedJob)).toEqual(['build-a']);
  expect(await versioning(otherJob)).toEqual({ behavior: 1, buildId: 'build-b' });
  expect(await taskBuilds(otherJob)).toEqual(['build-b']);
  // The session upgrades: its next message runs on build B, and so does the job it starts.
  const next = await stack.send(sessionId, 'Change the background colour to blue');
  // Waiting or ended: the job's own workflow tasks ran (its row may say running before they do).
  await stack.waitForJob(next.id, (job) => job.status === 'waiting' || isTerminal(job));
  expect(await versioning(stack.env.client.workflow.getHandle(jobWorkflowId(next.id)))).toEqual({ behavior: 1, buildId: 'build-b' });
  const session = stack.env.client.workflow.getHandle(sessionWorkflowId(sessionId));
  expect(await versioning(session)).toEqual({ behavior: 2, buildId: 'build-b' });
  expect(await taskBuilds(session)).toEqual(['build-a', 'build-b']);
}, 120_000);
