import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { codegenApi, eventually, waitingAt } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

const coderLog = () => stack.model.requests().log.filter((r) => r.role === 'coder');

describe('cancel and retry', () => {
  let projectId: string;
  let sessionId: string;
  let cancelled: JobDto;

  it('cancels a job inside generate: the running model calls are aborted and no version is saved', async () => {
    projectId = await stack.newProject();
    sessionId = await stack.startSession(projectId);
    // The coder streams slowly (a new app is several files): the job stays inside generate.
    stack.model.script({ role: 'coder', tokenDelayMs: 200, times: 20 });
    const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    await eventually(() => coderLog().length > 0, 'a coder request');
    expect((await stack.waitForJob(queued.id, (j) => j.stage === 'generate')).status).toBe('running');

    const res = await api.command(queued.id, 'cancel');
    expect(res.status).toBe(202);
    cancelled = await stack.waitForJob(queued.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', stage: 'generate', resultVersion: null, error: null });

    // Cancellation reaches the model calls through heartbeats: each one in flight is hung up on,
    // long before its slow stream (tens of seconds) would have ended.
    const inFlight = coderLog().length;
    await eventually(() => coderLog().every((r) => r.clientClosed), 'the client to close every coder request', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(coderLog()).toHaveLength(inFlight);
    expect(await api.versions(projectId)).toEqual([]);
    expect((await api.command(queued.id, 'cancel')).status).toBe(409);
  });

  it('retries the cancelled job from its last completed stage, reusing the recorded intent and plan', async () => {
    stack.model.reset();
    const retried = await api.command(cancelled.id, 'retry');
    expect(retried.status).toBe(202);
    expect((await api.command(cancelled.id, 'retry')).status).toBe(409);

    const job = await stack.waitForJob(cancelled.id);
    expect(job).toMatchObject({ status: 'completed', resultVersion: 1, error: null, plan: cancelled.plan });
    // No router or planner call the second time: only the files are written again.
    expect(stack.model.requests().byRole).toEqual({ coder: cancelled.plan!.files.length });

    // The session counts the job's tokens once, though the job ran twice.
    const session = await api.session(sessionId);
    expect(session.usage).toEqual(job.usage);
    expect(job.usage.calls).toBeGreaterThan(cancelled.usage.calls);
  });
});

/**
 * Two sessions on one project, each with a job that waits for approval: both jobs start from
 * version 1 for sure, then both are approved at once and race to save.
 */
async function raceEdits(first: string, second: string): Promise<{ projectId: string; jobs: JobDto[] }> {
  const projectId = await stack.newProject();
  await stack.seedApp(projectId);
  const sessions = await Promise.all([stack.startSession(projectId, { requireApproval: true }), stack.startSession(projectId, { requireApproval: true })]);
  const queued = await Promise.all([stack.send(sessions[0]!, first), stack.send(sessions[1]!, second)]);
  await Promise.all(queued.map((j) => stack.waitForJob(j.id, waitingAt('approval'))));
  expect((await Promise.all(queued.map((j) => api.command(j.id, 'approve')))).map((r) => r.status)).toEqual([202, 202]);
  const jobs = await Promise.all(queued.map((j) => stack.waitForJob(j.id)));
  expect(jobs.map((j) => j.baseVersion)).toEqual([1, 1]);
  return { projectId, jobs };
}

describe.concurrent('jobs racing on one project', () => {
  it('saves both when they changed different files: versions 2 and 3, the later re-applied on the earlier', async () => {
    const { projectId, jobs } = await raceEdits('Change the title to "Race Day"', 'Make the background teal');
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(jobs.map((j) => j.resultVersion).sort()).toEqual([2, 3]);

    const versions = await api.versions(projectId);
    expect(versions.map((v) => [v.number, v.parentVersion])).toEqual([[3, 2], [2, 1], [1, null]]);
    expect(await api.changedPaths(projectId, 1, 3)).toEqual(['index.html', 'src/App.tsx', 'src/index.css']);
    expect(await api.file(projectId, 3, 'src/App.tsx')).toContain('Race Day');
    expect(await api.file(projectId, 3, 'src/index.css')).toContain('background: teal;');
  });

  it('fails one with version_conflict when both changed the same file differently, saving only the other', async () => {
    const { projectId, jobs } = await raceEdits('Change the title to "Alpha"', 'Change the title to "Beta"');
    const winner = jobs.find((j) => j.status === 'completed');
    const loser = jobs.find((j) => j.status === 'failed');
    expect(winner).toMatchObject({ resultVersion: 2 });
    expect(loser).toMatchObject({ stage: 'save', resultVersion: null, error: { code: 'version_conflict' } });
    expect(loser!.error!.message).toMatch(/changed on both sides: .*src\/App\.tsx/);

    expect((await api.versions(projectId)).map((v) => v.number)).toEqual([2, 1]);
    const title = winner!.input.content.includes('Alpha') ? 'Alpha' : 'Beta';
    expect(await api.file(projectId, 2, 'src/App.tsx')).toContain(title);
  });
});
