import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { codegenApi } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import type { ScriptStep } from '../support/model-server';

/** Short, so a hung model call is given up on quickly; the offline model answers in milliseconds. */
const LLM_TIMEOUT_MS = 2_000;

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
let sessionId: string;
beforeAll(async () => {
  stack = await startCodegenStack({ llmTimeoutMs: LLM_TIMEOUT_MS });
  api = codegenApi(stack);
  const projectId = await stack.newProject();
  await stack.seedApp(projectId);
  sessionId = await stack.startSession(projectId);
});
afterAll(async () => stack?.close());
// Scripted faults are consumed by whichever request comes next: one job at a time in this file.
beforeEach(() => stack.model.reset());

/** A question only needs the router: the cheapest job that meets a fault and still completes. */
async function askWith(step: ScriptStep): Promise<JobDto> {
  stack.model.script(step);
  return stack.waitForJob((await stack.send(sessionId, 'What files does my app have?')).id);
}

const routerLog = () => stack.model.requests().log.filter((r) => r.role === 'router');

describe('model faults on a call: retried until the job completes', () => {
  it('waits out a 429 for as long as its Retry-After says', async () => {
    const job = await askWith({ role: 'router', fault: 'rate_limit', retryAfterSeconds: 3 });
    expect(job).toMatchObject({ status: 'completed', intent: 'question', error: null });
    const [limited, answered] = routerLog();
    expect(routerLog()).toHaveLength(2);
    expect(limited).toMatchObject({ status: 429, fault: 'rate_limit' });
    expect(answered).toMatchObject({ status: 200, fault: null });
    // Three seconds, not the retry policy's two-second first backoff.
    expect(Date.parse(answered!.at) - Date.parse(limited!.at)).toBeGreaterThanOrEqual(2_900);
  });

  it('retries a 500', async () => {
    const job = await askWith({ role: 'router', fault: 'server_error' });
    expect(job).toMatchObject({ status: 'completed', error: null });
    expect(routerLog().map((r) => r.status)).toEqual([500, 200]);
  });

  it('gives up on a call that hangs past the LLM timeout and asks again', async () => {
    const job = await askWith({ role: 'router', fault: 'hang' });
    expect(job).toMatchObject({ status: 'completed', error: null });
    const [hung, answered] = routerLog();
    expect(routerLog()).toHaveLength(2);
    expect(hung).toMatchObject({ fault: 'hang', status: null, clientClosed: true });
    expect(answered).toMatchObject({ status: 200 });
    expect(Date.parse(answered!.at) - Date.parse(hung!.at)).toBeGreaterThanOrEqual(LLM_TIMEOUT_MS);
  });

  it('asks again after a reply that is not valid JSON', async () => {
    const job = await askWith({ role: 'router', fault: 'malformed_json' });
    expect(job).toMatchObject({ status: 'completed', intent: 'question', error: null });
    expect(routerLog().map((r) => [r.fault, r.status])).toEqual([['malformed_json', 200], [null, 200]]);
  });
});

describe('model refusals: the job fails at once with the refusal in plain words', () => {
  it('fails with llm_bad_request on a 400, without retrying', async () => {
    const job = await askWith({ role: 'router', fault: 'bad_request' });
    expect(job).toMatchObject({ status: 'failed', stage: 'intent', error: { code: 'llm_bad_request' } });
    expect(job.error?.message).toMatch(/refused the request: This model's maximum context length was exceeded/);
    expect(routerLog().map((r) => r.status)).toEqual([400]);
  });

  it('fails with llm_auth_failed on a 401 without retrying, and a retry resumes from the stage that failed', async () => {
    stack.model.script({ role: 'planner', fault: 'unauthorized' });
    const queued = await stack.send(sessionId, 'Make the background teal');
    const failed = await stack.waitForJob(queued.id);
    expect(failed).toMatchObject({ status: 'failed', stage: 'plan', resultVersion: null, error: { code: 'llm_auth_failed' } });
    expect(failed.error?.message).toMatch(/rejected our API key/);
    expect(stack.model.requests().byRole).toEqual({ router: 1, planner: 1 });

    // The key is fixed: the retry reuses the recorded intent and starts at the plan.
    stack.model.reset();
    const retried = await api.command(queued.id, 'retry');
    expect(retried.status).toBe(202);
    expect(retried.body.job).toMatchObject({ status: 'queued', error: null });
    const job = await stack.waitForJob(queued.id);
    expect(job).toMatchObject({ status: 'completed', intent: 'edit', baseVersion: 1, error: null });
    expect(stack.model.requests().byRole).toEqual({ planner: 1, coder: 1 });
    expect(job.usage.calls).toBe(failed.usage.calls + 2);
  });
});
