import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, streamCompletion, structuredCompletion } from '../../activities/llm';
import { LlmErrorType } from '../../domain/errors';
import { buildRouterMessages } from '../../domain/llm-prompts';
import { structuredOutputs } from '../../domain/llm-protocol';
import { llmConfigFor, type ModelServer, startModelServer } from '../support/model-server';

// Every fault the model server can inject, through the openai package over real HTTP, must come
// out of the typed calls as the ApplicationFailure Temporal's retry policy expects.

let server: ModelServer;
let client: OpenAI;
beforeAll(async () => {
  server = await startModelServer();
  client = createLlmClient(llmConfigFor(server, 800));
});
afterAll(() => server?.close());
beforeEach(() => server.reset());

const model = 'forge-offline';
const coderCall = (over: Partial<Parameters<typeof streamCompletion>[1]> = {}, c = client) =>
  streamCompletion(c, { role: 'coder', model, messages: [{ role: 'user', content: 'Say something long enough to stream.' }], ...over });
const routerCall = () =>
  structuredCompletion(client, { role: 'router', model, messages: buildRouterMessages({ request: 'Build me a todo app', filePaths: [] }), schema: structuredOutputs.intent });

async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('retryable faults', () => {
  it('429: llm_rate_limited, retryable, next retry after the Retry-After header', async () => {
    server.script({ fault: 'rate_limit', retryAfterSeconds: 3 });
    const failure = await failureOf(coderCall());
    expect(failure).toMatchObject({ type: LlmErrorType.rateLimited, nonRetryable: false, nextRetryDelay: 3000 });
    expect(failure.details).toEqual([expect.objectContaining({ status: 429 })]);
  });

  it('500: llm_unavailable, retryable', async () => {
    server.script({ fault: 'server_error' });
    expect(await failureOf(routerCall())).toMatchObject({ type: LlmErrorType.unavailable, nonRetryable: false });
  });

  it('a request that hangs past the client timeout: llm_timeout, retryable', async () => {
    server.script({ fault: 'hang' });
    const started = Date.now();
    expect(await failureOf(coderCall())).toMatchObject({ type: LlmErrorType.timeout, nonRetryable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(server.requests().log[0]).toMatchObject({ fault: 'hang', status: null });
  });

  it('a stream cut mid-way: llm_unavailable, retryable, after some deltas and never as a result', async () => {
    server.script({ fault: 'cut_stream', reply: 'a reply that is long enough to be cut after a few chunks' });
    const deltas: string[] = [];
    const failure = await failureOf(coderCall({ onDelta: (d) => deltas.push(d) }));
    expect(failure).toMatchObject({ type: LlmErrorType.unavailable, nonRetryable: false });
    expect(deltas.join('')).toBe('a reply that');
  });

  it('malformed JSON for a json_schema request: llm_malformed_output, retryable', async () => {
    server.script({ role: 'router', fault: 'malformed_json' });
    const failure = await failureOf(routerCall());
    expect(failure).toMatchObject({ type: LlmErrorType.malformedOutput, nonRetryable: false, details: [{ problem: 'malformed_json' }] });
  });

  it('valid JSON of the wrong shape: llm_malformed_output (schema_mismatch)', async () => {
    server.script({ role: 'router', reply: { kind: 'party', summary: 'x' } });
    expect(await failureOf(routerCall())).toMatchObject({ type: LlmErrorType.malformedOutput, details: [{ problem: 'schema_mismatch' }] });
  });

  it('a structured reply cut by the length limit is retried, not stitched together', async () => {
    server.script({ role: 'router', fault: 'length' });
    expect(await failureOf(routerCall())).toMatchObject({ type: LlmErrorType.malformedOutput, details: [{ problem: 'truncated' }] });
  });
});

describe('final faults', () => {
  it('401 (no usable key): llm_auth_failed, non-retryable, in plain words', async () => {
    const keyless = new OpenAI({ apiKey: ' ', baseURL: server.url, maxRetries: 0 });
    const failure = await failureOf(coderCall({}, keyless));
    expect(failure).toMatchObject({ type: LlmErrorType.authFailed, nonRetryable: true });
    expect(failure.message).toMatch(/API key/);
    expect(server.requests().log[0]).toMatchObject({ status: 401 });
  });

  it('400 (a request the server refuses): llm_bad_request, non-retryable, with the reason', async () => {
    const failure = await failureOf(coderCall({ maxTokens: -5 }));
    expect(failure).toMatchObject({ type: LlmErrorType.badRequest, nonRetryable: true });
    expect(failure.message).toMatch(/max_completion_tokens/);
  });

  it('404 (an unknown model): llm_bad_request, non-retryable, pointing at the settings', async () => {
    const failure = await failureOf(coderCall({ model: 'gpt-nonexistent' }));
    expect(failure).toMatchObject({ type: LlmErrorType.badRequest, nonRetryable: true });
    expect(failure.details).toEqual([expect.objectContaining({ status: 404, code: 'model_not_found' })]);
  });

  it('cancellation: the caller gets its own abort reason back, not a model failure', async () => {
    server.script({ fault: 'hang' });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 100);
    await expect(coderCall({ signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('scripted mode', () => {
  it('serves steps to matching roles only, `times` times, then the rule-based model answers', async () => {
    server.script({ role: 'coder', fault: 'server_error', times: 2 });
    expect((await routerCall()).value.kind).toBe('new_app');
    await failureOf(coderCall());
    await failureOf(coderCall());
    expect((await coderCall()).text.length).toBeGreaterThan(0);
    const { total, byRole, log } = server.requests();
    expect({ total, byRole }).toEqual({ total: 4, byRole: { router: 1, coder: 3 } });
    expect(log.map((r) => r.status)).toEqual([200, 500, 500, 200]);
  });

  it('has the same control API over HTTP for out-of-process tests', async () => {
    const base = server.url.replace(/\/v1$/, '');
    const post = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await post('/_control/script', [{ fault: 'rate_limit', retryAfterSeconds: 2 }])).status).toBe(204);
    expect(await failureOf(coderCall())).toMatchObject({ nextRetryDelay: 2000 });
    const summary = await (await fetch(`${base}/_control/requests`)).json();
    expect(summary).toMatchObject({ total: 1, log: [{ role: 'coder', status: 429, fault: 'rate_limit' }] });
    expect((await post('/_control/script', { fault: 'explode' })).status).toBe(400);
    expect((await post('/_control/reset')).status).toBe(204);
    expect(server.requests().total).toBe(0);
  });
});
