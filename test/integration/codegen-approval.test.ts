import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegenApi, plannedPaths, waitingAt } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

/** A project at version 1 (the offline model's todo app) and a session on it. */
async function seededSession(settings: Parameters<CodegenStack['startSession']>[1]) {
  const projectId = await stack.newProject();
  await stack.seedApp(projectId);
  return { projectId, sessionId: await stack.startSession(projectId, settings) };
}

// No scripted model replies here, so the tests share the model server and run at once.
describe.concurrent('clarifying questions and plan approval', () => {
  it('asks when a request is too vague, waits durably for the answer, then builds what the answer describes', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId);
    const queued = await stack.send(sessionId, 'Build something');
    const waiting = await stack.waitForJob(queued.id, waitingAt('questions'));
    expect(waiting).toMatchObject({ status: 'waiting', stage: 'questions', plan: null });
    expect(waiting.questions?.[0]).toMatch(/What would you like to build/);
    expect((await api.jobEvents(queued.id)).find((e) => e.type === 'questions')?.data.questions).toEqual(waiting.questions);

    expect((await api.command(queued.id, 'answer', { answer: 'A counter with a reset button' })).status).toBe(202);
    const second = await api.command(queued.id, 'answer', { answer: 'A todo list after all' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');

    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'completed', intent: 'new_app', resultVersion: 1, error: null });
    expect(plannedPaths(job)).toContain('src/Counter.tsx');
    expect(await api.file(projectId, 1, 'src/App.tsx')).toContain('<Counter />');
  });

  it('waits for approval of the plan and builds it once approved', async () => {
    const { projectId, sessionId } = await seededSession({ requireApproval: true });
    const queued = await stack.send(sessionId, 'Make the background teal');
    const waiting = await stack.waitForJob(queued.id, waitingAt('approval'));
    expect(waiting).toMatchObject({ status: 'waiting', stage: 'approval', resultVersion: null });
    expect(plannedPaths(waiting)).toEqual(['src/index.css']);

    const byViewer = await api.command(queued.id, 'approve', undefined, stack.roles.viewer.token);
    expect(byViewer.status).toBe(403);
    expect((await api.command(queued.id, 'approve')).status).toBe(202);

    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'completed', baseVersion: 1, resultVersion: 2 });
    expect(await api.changedPaths(projectId, 1, 2)).toEqual(['src/index.css']);
    const types = (await api.jobEvents(job.id)).map((e) => e.type);
    expect(types.indexOf('plan')).toBeLessThan(types.indexOf('plan.approved'));
    expect(types.indexOf('plan.approved')).toBeLessThan(types.indexOf('version.saved'));
    expect((await api.command(queued.id, 'approve')).status).toBe(409);
  });

  it('re-plans with the feedback of a rejected plan and builds the plan approved after it', async () => {
    const { projectId, sessionId } = await seededSession({ requireApproval: true });
    const queued = await stack.send(sessionId, 'Make the background teal');
    await stack.waitForJob(queued.id, waitingAt('approval'));
    const feedback = 'Also change the title to "Teal Tasks"';
    expect((await api.command(queued.id, 'reject', { feedback })).status).toBe(202);

    const replanned = await stack.waitForJob(queued.id, (j) => waitingAt('approval')(j) && plannedPaths(j).includes('src/App.tsx'));
    expect(plannedPaths(replanned)).toEqual(['index.html', 'src/App.tsx', 'src/index.css']);
    expect((await api.command(queued.id, 'approve')).status).toBe(202);

    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'completed', resultVersion: 2 });
    const events = await api.jobEvents(job.id);
    expect(events.filter((e) => e.type.startsWith('plan')).map((e) => e.type)).toEqual(['plan', 'plan.rejected', 'plan', 'plan.approved']);
    expect(events.find((e) => e.type === 'plan.rejected')?.data.feedback).toBe(feedback);
    expect(await api.file(projectId, 2, 'src/App.tsx')).toContain('Teal Tasks');
    expect(await api.file(projectId, 2, 'src/index.css')).toMatch(/background: teal;/);
  });

  it('fails with loop_detected when the plan after a rejection is the rejected plan again', async () => {
    const { projectId, sessionId } = await seededSession({ requireApproval: true });
    const queued = await stack.send(sessionId, 'Make the background teal');
    await stack.waitForJob(queued.id, waitingAt('approval'));
    // Feedback the offline planner cannot act on: it proposes the same plan.
    expect((await api.command(queued.id, 'reject', { feedback: 'I am not sure about this' })).status).toBe(202);

    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'failed', stage: 'plan', resultVersion: null, error: { code: 'loop_detected' } });
    expect(job.error?.message).toMatch(/same plan/);
    expect((await api.versions(projectId)).map((v) => v.number)).toEqual([1]);
  });

  it('cancels a job whose plan is not approved in time, saving nothing', async () => {
    const { projectId, sessionId } = await seededSession({ requireApproval: true, approvalTimeoutSeconds: 1 });
    const queued = await stack.send(sessionId, 'Make the background teal');
    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'cancelled', stage: 'approval', resultVersion: null, error: { code: 'approval_timeout' } });
    expect((await api.command(queued.id, 'approve')).status).toBe(409);
    expect((await api.versions(projectId)).map((v) => v.number)).toEqual([1]);
  });

  it('cancels a job that waits for approval when asked to', async () => {
    const { projectId, sessionId } = await seededSession({ requireApproval: true });
    const queued = await stack.send(sessionId, 'Make the background teal');
    await stack.waitForJob(queued.id, waitingAt('approval'));
    expect((await api.command(queued.id, 'cancel', undefined, stack.roles.viewer.token)).status).toBe(403);
    expect((await api.command(queued.id, 'cancel')).status).toBe(202);

    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'cancelled', resultVersion: null, error: null });
    expect((await api.command(queued.id, 'cancel')).status).toBe(409);
    expect((await api.versions(projectId)).map((v) => v.number)).toEqual([1]);
  });
});
