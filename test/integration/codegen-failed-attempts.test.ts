import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatEditBlock } from '../../domain/llm-edit-format';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let sessionId: string;
beforeAll(async () => {
  stack = await startCodegenStack();
  const projectId = await stack.newProject();
  await stack.seedApp(projectId);
  sessionId = await stack.startSession(projectId);
});
afterAll(async () => stack?.close());
// Scripted replies are consumed by whichever request comes next: one job at a time in this file.
beforeEach(() => stack.model.reset());

const coderCalls = () => stack.model.requests().log.filter((r) => r.role === 'coder').length;
/** An edit of src/index.css that matches nothing: the coder re-asks, then asks for the whole file. */
const stale = formatEditBlock({ path: 'src/index.css', search: 'body {\n  background: hotpink;\n}', replace: 'body {\n  background: teal;\n}' });

describe('failed model-calling attempts', () => {
  it('count the tokens an attempt spent before it failed and was retried', async () => {
    // Three unusable replies use up the first attempt (llm_malformed_output, retried); the second succeeds.
    stack.model.script({ role: 'coder', reply: stale, times: 3 });
    const job = await stack.waitForJob((await stack.send(sessionId, 'Make the background teal')).id);
    expect(job).toMatchObject({ status: 'completed', error: null });
    expect(coderCalls()).toBe(4);
    // Router, planner, the failed attempt's three coder calls and the retry's one.
    expect(job.usage.calls).toBe(6);
  });
});
