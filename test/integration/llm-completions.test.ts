import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmTool, streamCompletion, structuredCompletion } from '../../activities/llm';
import { applyEditBlocks, parseEditBlocks } from '../../domain/llm-edit-format';
import { buildCoderMessages, buildRouterMessages } from '../../domain/llm-prompts';
import { type Plan, READ_FILE_TOOL, ReadFileArgs, structuredOutputs } from '../../domain/llm-protocol';
import { llmConfigFor, type ModelServer, startModelServer } from '../support/model-server';

// The typed calls against the real server through the openai package: streaming, continuation
// after length cuts, tool calls and usage figures, plus the OpenAI wire format itself.

let server: ModelServer;
let client: OpenAI;
beforeAll(async () => {
  server = await startModelServer();
  client = createLlmClient(llmConfigFor(server));
});
afterAll(() => server?.close());
beforeEach(() => server.reset());

const model = 'forge-offline';
const appTsx = 'const title = "Todo list";\n\nexport default function App() {\n  return (\n    <main className="app">\n      <h1>{title}</h1>\n    </main>\n  );\n}\n';
const editPlan: Plan = { summary: 'Retitle', message: 'Change the title', files: [{ path: 'src/App.tsx', action: 'update', why: 'New title' }] };
const newAppPlan: Plan = { summary: 'Todo', message: 'Create a todo app', files: [{ path: 'src/TodoList.tsx', action: 'create', why: 'The list' }] };
const createTodoList = buildCoderMessages({ request: 'Build a todo app', plan: newAppPlan, task: { action: 'create', path: 'src/TodoList.tsx', format: 'whole_file', why: 'The list' }, files: [] });

describe('streamCompletion', () => {
  it('streams deltas that add up to the returned text, with usage', async () => {
    const deltas: string[] = [];
    const result = await streamCompletion(client, { role: 'coder', model, messages: createTodoList, onDelta: (d) => deltas.push(d) });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toMatch(/^```src\/TodoList\.tsx\n/);
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.join('')).toBe(result.text);
    expect(result.usage).toEqual({ promptTokens: expect.any(Number), completionTokens: Math.ceil(result.text.length / 4), calls: 1 });
    expect(result.usage.promptTokens).toBeGreaterThan(100);
  });

  it('continues a reply cut at the length limit (finish_reason length) into the full text', async () => {
    const reply = 'The whole reply, which the server cuts in half the first time it is sent.';
    server.script({ role: 'coder', fault: 'length', reply });
    const deltas: string[] = [];
    const result = await streamCompletion(client, { role: 'coder', model, messages: [{ role: 'user', content: 'go' }], onDelta: (d) => deltas.push(d) });
    expect(result).toMatchObject({ text: reply, finishReason: 'stop', usage: { calls: 2 } });
    expect(deltas.join('')).toBe(reply);
    expect(server.requests().log.map((r) => r.continuation)).toEqual([false, true]);
  });

  it('honours maxTokens by continuing as often as needed, never returning a truncated file', async () => {
    const whole = await streamCompletion(client, { role: 'coder', model, messages: createTodoList });
    server.reset();
    const limited = await streamCompletion(client, { role: 'coder', model, messages: createTodoList, maxTokens: 120 });
    expect(limited.text).toBe(whole.text);
    const calls = Math.ceil(whole.text.length / (120 * 4));
    expect(limited.usage.calls).toBe(calls);
    expect(limited.usage.completionTokens).toBeGreaterThanOrEqual(whole.usage.completionTokens);
    expect(server.requests().log.filter((r) => r.continuation)).toHaveLength(calls - 1);
  });

  it('round-trips a tool call: the model asks for a file, the tool answers, the edit applies', async () => {
    const asked: string[] = [];
    const readFile: LlmTool<ReadFileArgs> = {
      name: READ_FILE_TOOL,
      description: 'Returns the current content of a file of the app',
      parameters: ReadFileArgs,
      run: async ({ path }) => {
        asked.push(path);
        return path === 'src/App.tsx' ? appTsx : 'Error: no such file';
      },
    };
    const messages = buildCoderMessages({
      request: 'change the title to "Chores"',
      plan: editPlan,
      task: { action: 'update', path: 'src/App.tsx', format: 'edit_blocks', why: 'New title' },
      files: [],
    });
    const result = await streamCompletion(client, { role: 'coder', model, messages, tools: [readFile] });
    expect(asked).toEqual(['src/App.tsx']);
    expect(result.usage.calls).toBe(2);
    const applied = applyEditBlocks({ 'src/App.tsx': appTsx }, parseEditBlocks(result.text));
    expect(applied.ok && applied.files['src/App.tsx']).toBe(appTsx.replace('"Todo list"', '"Chores"'));
  });
});

describe('structuredCompletion', () => {
  it('returns the zod-validated value and usage', async () => {
    const result = await structuredCompletion(client, {
      role: 'router',
      model,
      messages: buildRouterMessages({ request: 'what can you build for me?', filePaths: [] }),
      schema: structuredOutputs.intent,
    });
    expect(result.value).toMatchObject({ kind: 'question', questions: null, answer: expect.stringContaining('offline') });
    expect(result.usage).toMatchObject({ calls: 1, completionTokens: expect.any(Number) });
  });
});

describe('the OpenAI wire format', () => {
  const raw = () => new OpenAI({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });

  it('lists the model and answers non-streamed json_schema requests with usage', async () => {
    const models = await raw().models.list();
    expect(models.data.map((m) => m.id)).toEqual([model]);
    const completion = await raw().chat.completions.create({
      model,
      messages: buildRouterMessages({ request: 'Build me a counter app', filePaths: [] }),
      response_format: { type: 'json_schema', json_schema: { name: 'intent', schema: structuredOutputs.intent.json, strict: true } },
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant' } });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toMatchObject({ kind: 'new_app' });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('streams tool calls as OpenAI does, and ends with a usage chunk when asked', async () => {
    const stream = await raw().chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: READ_FILE_TOOL, parameters: { type: 'object' } } }],
      messages: buildCoderMessages({ request: 'add a button labelled Go', plan: editPlan, task: { action: 'update', path: 'src/App.tsx', format: 'edit_blocks', why: 'x' }, files: [] }),
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), function: { name: READ_FILE_TOOL } });
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? '').join(''))).toEqual({ path: 'src/App.tsx' });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
  });

  it('waits the configured latency before answering and between streamed tokens', async () => {
    const slow = await startModelServer({ latencyMs: 150, tokenDelayMs: 20 });
    try {
      slow.script({ reply: 'twelve chars' });
      const started = Date.now();
      await streamCompletion(createLlmClient(llmConfigFor(slow)), { role: 'coder', model, messages: [{ role: 'user', content: 'go' }] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150 + 3 * 20);
    } finally {
      await slow.close();
    }
  });
});
