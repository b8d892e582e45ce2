import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptEntryDto } from '../../domain/conversation';
import { SessionSummary } from '../../db/entities/index';
import { codegenApi, waitingAt } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

type Page = { items: TranscriptEntryDto[]; nextCursor?: string };
const transcript = async (sessionId: string, query = '') => {
  const res = await stack.app.call<Page>('GET', `/sessions/${sessionId}/messages${query}`, { token: stack.roles.viewer.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const said = (items: TranscriptEntryDto[]) => items.map((e) => `${e.author} ${e.kind}`);
const runTurn = async (sessionId: string, content: string) => stack.waitForJob((await stack.send(sessionId, content)).id);

describe('a conversation', () => {
  let projectId: string;
  let sessionId: string;

  it('edits the app of an earlier turn: "make the background blue" after "Build a todo app" keeps the todos', async () => {
    projectId = await stack.newProject();
    sessionId = await stack.startSession(projectId);
    expect(await runTurn(sessionId, 'Build a todo app')).toMatchObject({ status: 'completed', resultVersion: 1 });
    const edit = await runTurn(sessionId, 'make the background blue');
    expect(edit).toMatchObject({ status: 'completed', intent: 'edit', baseVersion: 1, resultVersion: 2 });
    expect(await api.changedPaths(projectId, 1, 2)).toEqual(['src/index.css']);
    expect(await api.file(projectId, 2, 'src/index.css')).toMatch(/background: blue;/);
    const app = await api.file(projectId, 2, 'src/App.tsx');
    expect(app).toBe(await api.file(projectId, 1, 'src/App.tsx'));
    expect(app).toContain('<TodoList />');
    expect((await api.version(projectId, 2)).files.map((f) => f.path)).toContain('src/TodoList.tsx');
  });

  it('answers "What did I ask for in my first message?" from the conversation', async () => {
    const job = await runTurn(sessionId, 'What did I ask for in my first message?');
    expect(job).toMatchObject({ status: 'completed', intent: 'question', resultVersion: null });
    expect(job.answer).toBe('Your first message was: "Build a todo app".');
  });

  it('keeps the transcript in PostgreSQL and pages it newest first (or oldest first with order=asc)', async () => {
    const all = await transcript(sessionId, '?order=asc&limit=200');
    expect(said(all.items)).toEqual([
      'user message', 'forge plan', 'forge outcome',
      'user message', 'forge plan', 'forge outcome',
      'user message', 'forge answer',
    ]);
    expect(all.items.map((e) => e.text)).toEqual(expect.arrayContaining(['Build a todo app', 'make the background blue', 'Saved version 2: Make the background blue']));
    expect(all.nextCursor).toBeUndefined();

    const pages: TranscriptEntryDto[] = [];
    let cursor: string | undefined;
    do {
      const page = await transcript(sessionId, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      pages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((e) => e.id)).toEqual(all.items.map((e) => e.id).reverse());

    const outsider = await stack.app.call('GET', `/sessions/${sessionId}/messages`, { token: stack.roles.outsider.token });
    expect(outsider.status).toBe(404);
    const forged = await stack.app.call('GET', `/sessions/${sessionId}/messages?cursor=bm9wZQ`, { token: stack.roles.viewer.token });
    expect(forged.status).toBe(400);
  });
});

describe('questioning', () => {
  it('asks again while the answers are not enough, each question and answer in the transcript', async () => {
    const projectId = await stack.newProject();
    await stack.seedApp(projectId);
    const sessionId = await stack.startSession(projectId);
    const job = await stack.send(sessionId, 'Change');
    await stack.waitForJob(job.id, waitingAt('questions'), 25_000);
    expect((await api.command(job.id, 'answer', { answer: 'blue' })).status).toBe(202);
    await stack.waitForJob(job.id, (j) => j.status === 'waiting' && j.questions?.[0]?.startsWith('The offline model can') === true, 25_000);
    expect((await api.command(job.id, 'answer', { answer: 'make the background blue' })).status).toBe(202);
    expect(await stack.waitForJob(job.id)).toMatchObject({ status: 'completed', resultVersion: 2 });
    expect(await api.file(projectId, 2, 'src/index.css')).toMatch(/background: blue;/);

    const { items } = await transcript(sessionId, '?order=asc');
    expect(said(items)).toEqual(['user message', 'forge questions', 'user answer', 'forge questions', 'user answer', 'forge plan', 'forge outcome']);
    expect(items.filter((e) => e.kind === 'answer').map((e) => e.text)).toEqual(['blue', 'make the background blue']);
  });

  it('stops asking after maxQuestionRounds and goes ahead with what it has', async () => {
    const projectId = await stack.newProject();
    await stack.seedApp(projectId);
    const sessionId = await stack.startSession(projectId, { maxQuestionRounds: 1 });
    const job = await stack.send(sessionId, 'Change');
    await stack.waitForJob(job.id, waitingAt('questions'), 25_000);
    expect((await api.command(job.id, 'answer', { answer: 'blue' })).status).toBe(202);
    const done = await stack.waitForJob(job.id, undefined, 25_000);
    expect(done.status).toBe('completed');
    expect((await api.jobEvents(job.id)).filter((e) => e.type === 'questions')).toHaveLength(1);
  });
});

describe('a long conversation', () => {
  let small: CodegenStack;
  beforeAll(async () => { small = await startCodegenStack({ historyTokens: 100 }); });
  afterAll(async () => small?.close());

  it('condenses older turns once into a stored summary and still answers from them', async () => {
    const sessionId = await small.startSession(await small.newProject());
    const turn = async (content: string) => small.waitForJob((await small.send(sessionId, content)).id);
    expect(await turn('Build a todo app')).toMatchObject({ status: 'completed' });
    for (let i = 0; i < 2; i++) expect(await turn('What files does my app have?')).toMatchObject({ status: 'completed', intent: 'question' });
    const summariesBefore = small.model.requests().byRole.summarizer ?? 0;
    expect(summariesBefore).toBeGreaterThan(0);

    const recalled = await turn('What did I ask for in my first message?');
    expect(recalled.answer).toBe('Your first message was: "Build a todo app".');

    const rows = await small.env.orm.em.fork().find(SessionSummary, { sessionId }, { orderBy: { throughId: 'asc' } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.at(-1)!.text).toContain('first message: Build a todo app');
    // Each summary extends the one before: as many summarizer calls as stored summaries, no range condensed twice.
    expect(small.model.requests().byRole.summarizer).toBe(rows.length);
  });
});
