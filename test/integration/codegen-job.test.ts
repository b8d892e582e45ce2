import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
beforeAll(async () => { stack = await startCodegenStack(); });
afterAll(async () => stack?.close());

describe('codegen job end to end', () => {
  it('builds a new app from a plain request and saves exactly one version', async () => {
    const { app, roles } = stack;
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId);
    const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    expect(queued.status).toBe('queued');

    const job = await stack.waitForJob(queued.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    expect(job.intent).toBe('new_app');
    expect(job.resultVersion).toBe(1);
    expect(job.plan?.files.length).toBeGreaterThan(0);
    expect(job.usage.calls).toBeGreaterThan(2);

    const version = await app.call('GET', `/projects/${projectId}/versions/1`, { token: roles.viewer.token });
    expect(version.body.source).toBe('ai_generation');
    expect(version.body.message).toBe(job.plan?.message);
    const paths = version.body.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'index.html', 'tsconfig.json', 'src/main.tsx', 'src/App.tsx']));

    const events = await app.call('GET', `/topics/job:${job.id}/events?afterSeq=0`, { token: roles.viewer.token });
    const types = events.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['job.stage', 'plan', 'check.result', 'version.saved', 'job.finished']));
    expect(events.body.items.map((e: { seq: number }) => e.seq)).toEqual(types.map((_: string, i: number) => i + 1));
  });
});
