import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { temporalBinary } from '../../scripts/stack/paths';
import { waitUntil } from '../../scripts/stack/wait-until';
import { ForgeJobType, ForgeStage } from '../../workflows/search-attributes';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { plannedNewAppPaths, scriptMissingHookImport } from '../support/scripted-type-error';
import { resetPointAfter } from '../support/workflow-history';

/**
 * What the README's "Operating jobs" tells an operator to do, done for real: find a project's
 * workflows by search attribute, read a job's summary and status line, cancel one with the CLI, and
 * reset a job to right after its plan (with the client API and with the CLI) so it runs again.
 */

let stack: CodegenStack;
beforeAll(async () => { stack = await startCodegenStack(); });
afterAll(async () => stack?.close());

/** The Temporal CLI against the run's server, as an operator types it. */
const temporalCli = async (...args: string[]) =>
  (await promisify(execFile)(temporalBinary, [...args, '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace')], { encoding: 'utf8' })).stdout;

const versionNumbers = async (projectId: string) =>
  (await stack.app.call('GET', `/projects/${projectId}/versions`, { token: stack.roles.viewer.token })).body.items.map((v: { number: number }) => v.number);

describe('operating jobs from Temporal', () => {
  it('finds a project\'s workflows by search attribute and shows where a job is', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { requireApproval: true });
    const job = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    await stack.waitForJob(job.id, (j) => j.status === 'waiting');

    // Visibility lags the workflows by a moment.
    const query = `ForgeProjectId="${projectId}" AND ForgeStage="approval" AND ExecutionStatus="Running"`;
    await waitUntil('the waiting job in the visibility store', async () => (await stack.env.client.workflow.count(query)).count === 1, { timeoutMs: 10_000 });
    const ids: string[] = [];
    for await (const wf of stack.env.client.workflow.list({ query: `ForgeProjectId="${projectId}"` })) ids.push(wf.workflowId);
    expect(ids.sort()).toEqual([jobWorkflowId(job.id), sessionWorkflowId(sessionId)].sort());

    const handle = stack.env.client.workflow.getHandle(jobWorkflowId(job.id));
    const described = await handle.describe();
    expect(await described.staticSummary()).toMatch(/^Codegen job for session .*: Build a todo app/);
    expect(described.typedSearchAttributes.get(ForgeStage)).toBe('approval');
    expect(described.typedSearchAttributes.get(ForgeJobType)).toBe('codegen');
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(/^\*\*waiting\*\* at stage `approval`: waiting for plan approval · \d+ tokens$/);

    // The CLI's cancel is the API's cancel: the workflow records the outcome on the job.
    expect(await temporalCli('workflow', 'list', '--query', query)).toContain(jobWorkflowId(job.id));
    await temporalCli('workflow', 'cancel', '--workflow-id', jobWorkflowId(job.id));
    const cancelled = await stack.waitForJob(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await versionNumbers(projectId)).toEqual([]);
  });

  it('resets a completed job to right after its plan: generation runs again, the saved version stays the one', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId);
    const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    const done = await stack.waitForJob(queued.id);
    expect(done).toMatchObject({ status: 'completed', resultVersion: 1 });
    const before = stack.model.requests().byRole;

    const handle = stack.env.client.workflow.getHandle(jobWorkflowId(queued.id));
    const { runId } = await handle.describe();
    const { runId: resetRunId } = await stack.env.client.workflowService.resetWorkflowExecution({
      namespace: stack.app.deps.config.TEMPORAL_NAMESPACE,
      workflowExecution: { workflowId: handle.workflowId, runId },
      workflowTaskFinishEventId: resetPointAfter(await handle.fetchHistory(), 'planChanges'),
      reason: 'test: generate the files again',
      requestId: randomUUID(),
    });
    expect(resetRunId).not.toBe(runId);

    const outcome = await stack.env.client.workflow.getHandle(handle.workflowId, resetRunId!).result();
    expect(outcome).toMatchObject({ status: 'completed', resultVersion: 1, error: null });
    expect(await stack.waitForJob(queued.id)).toMatchObject({ status: 'completed', resultVersion: 1, error: null });
    // The save is idempotent per job (key job:<id>): the new run got the version the first one saved.
    expect(await versionNumbers(projectId)).toEqual([1]);
    // Router and planner ran before the reset point and were not asked again; every file was written again.
    const after = stack.model.requests().byRole;
    expect(after).toMatchObject({ router: before.router, planner: before.planner, coder: before.coder! + done.plan!.files.length });

    // The session took no harm: its next message runs as usual.
    const next = await stack.send(sessionId, 'What files does my app have?');
    expect((await stack.waitForJob(next.id)).status).toBe('completed');
  });

  it('recovers a failed job by resetting it with the CLI past the failure', async () => {
    const request = 'Build a counter app with plus and minus buttons';
    const projectId = await stack.newProject();
    // No fix rounds: the broken file fails the job at the check.
    const sessionId = await stack.startSession(projectId, { maxFixRounds: 0, generateConcurrency: 1 });
    scriptMissingHookImport(stack.model, plannedNewAppPaths(request));
    const queued = await stack.send(sessionId, request);
    const failed = await stack.waitForJob(queued.id);
    expect(failed.error?.code).toBe('check_failed');
    expect(await versionNumbers(projectId)).toEqual([]);

    const workflowId = jobWorkflowId(queued.id);
    const eventId = resetPointAfter(await stack.env.client.workflow.getHandle(workflowId).fetchHistory(), 'planChanges');
    await temporalCli('workflow', 'reset', '--workflow-id', workflowId, '--event-id', String(eventId), '--reason', 'the model wrote a broken file');

    // A handle without a run id follows the workflow's latest run: the one the reset started.
    expect(await stack.env.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'completed', resultVersion: 1 });
    expect(await stack.waitForJob(queued.id)).toMatchObject({ status: 'completed', resultVersion: 1, error: null });
    expect(await versionNumbers(projectId)).toEqual([1]);
    expect(await temporalCli('workflow', 'describe', '--workflow-id', workflowId)).toMatch(/Status\s+COMPLETED/);
  });
});
