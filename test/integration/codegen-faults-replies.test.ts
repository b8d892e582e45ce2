import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobDto } from '../../domain/agents';
import { formatEditBlock } from '../../domain/llm-edit-format';
import { codegenApi } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import type { ScriptStep } from '../support/model-server';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
let projectId: string;
let sessionId: string;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
  projectId = await stack.newProject();
  await stack.seedApp(projectId);
  sessionId = await stack.startSession(projectId);
});
afterAll(async () => stack?.close());
// Scripted faults are consumed by whichever request comes next: one job at a time in this file.
beforeEach(() => stack.model.reset());

/**
 * A one-file edit (src/index.css), so exactly one coder call meets the scripted fault. Each test
 * picks a new colour: the project moves on by one version per test.
 */
async function recolourWith(color: string, ...steps: ScriptStep[]): Promise<JobDto> {
  stack.model.script(...steps);
  const job = await stack.waitForJob((await stack.send(sessionId, `Make the background ${color}`)).id);
  expect(job).toMatchObject({ status: 'completed', error: null });
  expect(await api.changedPaths(projectId, job.baseVersion!, job.resultVersion!)).toEqual(['src/index.css']);
  expect(await api.file(projectId, job.resultVersion!, 'src/index.css')).toContain(`background: ${color};`);
  return job;
}

const coderLog = () => stack.model.requests().log.filter((r) => r.role === 'coder');

describe('model faults in a streamed reply: the job still completes with the right code', () => {
  it('asks again when the stream is cut mid-way', async () => {
    await recolourWith('navy', { role: 'coder', fault: 'cut_stream' });
    expect(coderLog().map((r) => [r.fault, r.clientClosed])).toEqual([['cut_stream', false], [null, false]]);
  });

  it('continues a reply cut at the length limit instead of starting over', async () => {
    const job = await recolourWith('olive', { role: 'coder', fault: 'length' });
    expect(coderLog().map((r) => [r.fault, r.continuation])).toEqual([['length', false], [null, true]]);
    expect(job.usage.calls).toBe(4); // router, planner, and the coder's cut reply plus its continuation
  });

  it('re-asks for an edit that does not apply, then falls back to the whole file', async () => {
    const stale = formatEditBlock({ path: 'src/index.css', search: 'body {\n  background: hotpink;\n}', replace: 'body {\n  background: maroon;\n}' });
    const job = await recolourWith('maroon', { role: 'coder', reply: stale, times: 2 });
    // Two edits that match nothing, then the whole file, which the offline model writes correctly.
    expect(coderLog()).toHaveLength(3);
    expect(job.usage.calls).toBe(5);
  });
});
