import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeCheck } from '../../activities/codegen/type-check';
import { createLlmClient, streamCompletion, structuredCompletion } from '../../activities/llm';
import { applyEditBlocks, parseEditBlocks, parseWholeFiles } from '../../domain/llm-edit-format';
import { buildCoderMessages, buildFixerMessages, buildPlannerMessages, buildRouterMessages } from '../../domain/llm-prompts';
import { type Intent, requiredAppFiles, structuredOutputs } from '../../domain/llm-protocol';
import { llmConfigFor, type ModelServer, startModelServer } from '../support/model-server';

// The offline model must carry a whole codegen turn on its own: route, plan, write every file in
// the edit format asked for, and produce apps that pass the real compile check (tsc 7 against the
// generated-app toolchain), then make simple edits and mechanical fixes that apply.

let server: ModelServer;
let client: OpenAI;
beforeAll(async () => {
  server = await startModelServer();
  client = createLlmClient(llmConfigFor(server));
});
afterAll(() => server?.close());

const model = 'forge-offline';
type Files = Record<string, string>;
const asList = (files: Files) => Object.entries(files).map(([path, content]) => ({ path, content }));

const route = async (request: string, files: Files) =>
  (await structuredCompletion(client, { role: 'router', model, messages: buildRouterMessages({ request, filePaths: Object.keys(files) }), schema: structuredOutputs.intent })).value;

/** One turn the way the codegen stages run it: plan, then one coder call per planned file. */
async function runTurn(request: string, files: Files, intent: Intent): Promise<Files> {
  const plan = (await structuredCompletion(client, { role: 'planner', model, messages: buildPlannerMessages({ request, intent, files: asList(files) }), schema: structuredOutputs.plan })).value;
  let next = { ...files };
  for (const file of plan.files) {
    const format = file.action === 'create' ? 'whole_file' : 'edit_blocks';
    const shown = file.action === 'update' ? [{ path: file.path, content: files[file.path]! }] : [];
    const messages = buildCoderMessages({ request, plan, task: { action: file.action === 'create' ? 'create' : 'update', path: file.path, format, why: file.why }, files: shown });
    const { text } = await streamCompletion(client, { role: 'coder', model, messages, maxTokens: 400 });
    if (format === 'whole_file') {
      for (const written of parseWholeFiles(text, file.path)) next[written.path] = written.content;
    } else {
      const applied = applyEditBlocks(next, parseEditBlocks(text));
      if (!applied.ok) throw new Error(`edit did not apply: ${JSON.stringify(applied.failures)}`);
      next = applied.files;
    }
  }
  return next;
}

/** A new app per request, made once and shared: the edit and fix tests start from one. */
const made = new Map<string, Promise<Files>>();
const newApp = (request: string) => {
  if (!made.has(request)) made.set(request, route(request, {}).then((intent) => runTurn(request, {}, intent)));
  return made.get(request)!;
};

describe.each([
  ['Build me a todo app', 'src/TodoList.tsx', /<TodoList \/>/],
  ['I want a simple counter app for my kids', 'src/Counter.tsx', /<Counter \/>/],
  ['Create a landing page about sourdough baking at home', 'src/App.tsx', /Sourdough Baking At Home/],
])('a new app from "%s"', (request, themed, shows) => {
  it('is routed as new_app, planned, written and passes the compile check', async () => {
    expect(await route(request, {})).toMatchObject({ kind: 'new_app', questions: null });
    const files = await newApp(request);
    expect(Object.keys(files)).toEqual(expect.arrayContaining([...requiredAppFiles, themed]));
    expect(files['src/App.tsx']).toMatch(shows);
    expect(files['index.html']).toContain('<div id="root"></div>');
    expect(files['index.html']).toContain('<script type="module" src="/src/main.tsx"></script>');
    const check = await typeCheck(files);
    expect(check.diagnostics).toEqual([]);
    expect(check.ok).toBe(true);
  });
});

describe('on an existing app', () => {
  it('makes simple edits through SEARCH/REPLACE blocks that apply and still compile', async () => {
    const todo = await newApp('Build me a todo app');
    const request = 'change the title to "Chores" and add a button labelled "Clear all"';
    const intent = await route(request, todo);
    expect(intent.kind).toBe('edit');
    let files = await runTurn(request, todo, intent);
    files = await runTurn('make the background light blue', files, await route('make the background light blue', files));
    expect(files['src/App.tsx']).toContain('const title = "Chores";');
    expect(files['src/App.tsx']).toContain('{"Clear all"}</button>');
    expect(files['index.html']).toContain('<title>Chores</title>');
    expect(files['src/index.css']).toMatch(/body \{[^}]*background: lightblue;/);
    expect((await typeCheck(files)).ok).toBe(true);
  });

  it('answers questions, asks when too vague or beyond it, and routes error reports to fix', async () => {
    const counter = await newApp('I want a simple counter app for my kids');
    expect(await route('what files does my app have?', counter)).toMatchObject({ kind: 'question', answer: expect.stringContaining('src/Counter.tsx') });
    expect((await route('hmm ok', counter)).questions).toHaveLength(1);
    expect((await route('add a dark mode with a toggle', counter)).questions).toHaveLength(1);
    expect(await route('Could you build a todo app?', {})).toMatchObject({ kind: 'new_app' });
    expect(await route('the app shows an error, please fix it', counter)).toMatchObject({ kind: 'fix' });
  });

  it('fixes a missing hook import and an import of a missing module from real diagnostics', async () => {
    const counter = await newApp('I want a simple counter app for my kids');
    const broken = { ...counter, 'src/Counter.tsx': counter['src/Counter.tsx']!.replace("import { useState } from 'react';", "import Missing from './Missing';") };
    const check = await typeCheck(broken);
    expect(check.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining([2307, 2304]));
    const messages = buildFixerMessages({ diagnostics: check.diagnostics, files: [{ path: 'src/Counter.tsx', content: broken['src/Counter.tsx'] }], format: 'edit_blocks' });
    const { text } = await streamCompletion(client, { role: 'fixer', model, messages });
    const fixed = applyEditBlocks(broken, parseEditBlocks(text));
    expect(fixed.ok).toBe(true);
    expect(fixed.ok && (await typeCheck(fixed.files)).ok).toBe(true);
  });
});
