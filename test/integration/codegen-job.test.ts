import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { codegenApi, plannedPaths } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

// One session on one project, message after message, as a user would chat: each test builds on the last.
describe('codegen job end to end', () => {
  let projectId: string;
  let sessionId: string;
  const jobs: JobDto[] = [];

  it('builds a new app from a plain request and saves exactly one version', async () => {
    const { app, roles } = stack;
    projectId = await stack.newProject();
    sessionId = await stack.startSession(projectId);
    const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    expect(queued.status).toBe('queued');

    const job = await stack.waitForJob(queued.id);
    jobs.push(job);
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

  it('edits the app: the next message saves version 2 on version 1, changing only the planned files', async () => {
    const job = await stack.waitForJob((await stack.send(sessionId, 'Change the title to "Grocery Run"')).id);
    jobs.push(job);
    expect(job).toMatchObject({ status: 'completed', intent: 'edit', baseVersion: 1, resultVersion: 2, error: null });
    expect(plannedPaths(job)).toEqual(['index.html', 'src/App.tsx']);

    const v2 = await api.version(projectId, 2);
    expect(v2).toMatchObject({ parentVersion: 1, source: 'ai_generation', message: job.plan!.message });
    expect(await api.changedPaths(projectId, 1, 2)).toEqual(plannedPaths(job));
    expect(await api.file(projectId, 2, 'src/App.tsx')).toContain('Grocery Run');
    expect(await api.file(projectId, 2, 'index.html')).toContain('<title>Grocery Run</title>');
  });

  it('runs the messages of a session one after another, each on the version the previous one saved', async () => {
    const first = await stack.send(sessionId, 'Make the background teal');
    const second = await stack.send(sessionId, 'Add a button labelled "Clear all"');
    expect(second.status).toBe('queued');

    const a = await stack.waitForJob(first.id);
    const b = await stack.waitForJob(second.id);
    jobs.push(a, b);
    expect(a).toMatchObject({ status: 'completed', baseVersion: 2, resultVersion: 3 });
    expect(b).toMatchObject({ status: 'completed', baseVersion: 3, resultVersion: 4 });
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));

    expect(await api.changedPaths(projectId, 3, 4)).toEqual(['src/App.tsx']);
    const app = await api.file(projectId, 4, 'src/App.tsx');
    expect(app).toContain('Clear all');
    expect(app).toContain('Grocery Run');
    expect(await api.file(projectId, 4, 'src/index.css')).toMatch(/background: teal;/);
  });

  it('answers a question without planning or saving anything', async () => {
    const job = await stack.waitForJob((await stack.send(sessionId, 'What files does my app have?')).id);
    jobs.push(job);
    expect(job).toMatchObject({ status: 'completed', intent: 'question', plan: null, resultVersion: null, error: null });
    expect(job.answer).toContain('src/App.tsx');
    expect((await api.jobEvents(job.id)).find((e) => e.type === 'answer')?.data.text).toBe(job.answer);
    expect((await api.versions(projectId)).map((v) => v.number)).toEqual([4, 3, 2, 1]);
  });

  it('adds up the tokens of every job on the session', async () => {
    const session = await api.session(sessionId);
    expect(session.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    const sum = (key: 'promptTokens' | 'completionTokens' | 'calls') => jobs.reduce((n, j) => n + j.usage[key], 0);
    expect(session.usage).toEqual({ promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens'), calls: sum('calls') });
    expect(session.usage.promptTokens).toBeGreaterThan(0);
  });
});

describe('a session with autoPreview', () => {
  it('starts a preview of the saved version that goes live on its own, outliving the job', async () => {
    const { app, roles } = stack;
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { autoPreview: true });
    const job = await stack.waitForJob((await stack.send(sessionId, 'Build a counter app')).id);
    expect(job).toMatchObject({ status: 'completed', resultVersion: 1 });

    const events = await app.call('GET', `/topics/job:${job.id}/events?afterSeq=0`, { token: roles.viewer.token });
    const started = events.body.items.find((e: { type: string }) => e.type === 'preview.started');
    expect(started?.data).toMatchObject({ version: 1 });
    const previewId = started.data.previewId as string;

    const deadline = Date.now() + 90_000;
    let preview = await app.call('GET', `/previews/${previewId}`, { token: roles.viewer.token });
    while (!['live', 'failed'].includes(preview.body.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      preview = await app.call('GET', `/previews/${previewId}`, { token: roles.viewer.token });
    }
    expect(preview.body).toMatchObject({ status: 'live', version: 1 });
    const page = await fetch(preview.body.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="root"');

    const ended = await app.call('DELETE', `/previews/${previewId}`, { token: roles.editor.token });
    expect(ended.status).toBeLessThan(300);
  }, 120_000);
});
