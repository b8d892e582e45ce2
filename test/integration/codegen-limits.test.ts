import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobDto, SessionSettings } from '../../domain/agents';
import { formatWholeFile } from '../../domain/llm-edit-format';
import { codegenApi, type StoredEvent } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());
// Scripted replies are consumed by whichever request comes next: one job at a time in this file.
beforeEach(() => stack.model.reset());

/**
 * A new one-file app whose only file the coder writes as `content`: the planner and coder are
 * scripted, the fixer is the offline model (it can add a missing React import and nothing more).
 */
async function buildOneFile(path: string, content: string, settings: Partial<SessionSettings> = {}): Promise<{ job: JobDto; projectId: string; events: StoredEvent[] }> {
  const projectId = await stack.newProject();
  const sessionId = await stack.startSession(projectId, settings);
  stack.model.script(
    { role: 'planner', reply: { summary: 'A one-file app', message: 'Create the app', files: [{ path, action: 'create', why: 'The whole app' }] } },
    { role: 'coder', reply: formatWholeFile({ path, content }) },
  );
  const job = await stack.waitForJob((await stack.send(sessionId, 'Build a counter app with a plus button')).id);
  return { job, projectId, events: await api.jobEvents(job.id) };
}

const checks = (events: StoredEvent[]) => events.filter((e) => e.type === 'check.result').map((e) => ({ ok: e.data.ok, round: e.data.round }));

const fixRounds = (events: StoredEvent[]) => events.filter((e) => e.type === 'job.stage' && e.data.stage === 'fix').length;

const usesHookWithoutImport = `export default function App() {
  const [count, setCount] = useState(0);
  return <button onClick={() => setCount(count + 1)}>{count}</button>;
}
`;
const wrongType = `export const score: number = 'high';\n`;

describe('limits of a job', () => {
  it('fixes code that does not compile and saves the fixed version', async () => {
    const { job, projectId, events } = await buildOneFile('src/App.tsx', usesHookWithoutImport);
    expect(job).toMatchObject({ status: 'completed', resultVersion: 1, error: null });
    expect(checks(events)).toEqual([{ ok: false, round: 0 }, { ok: true, round: 1 }]);
    expect(events.find((e) => e.type === 'check.result')?.data.diagnostics[0]).toMatchObject({ file: 'src/App.tsx', code: 2304 });
    expect(await api.file(projectId, 1, 'src/App.tsx')).toMatch(/^import \{ useState \} from 'react';/);
    expect(fixRounds(events)).toBe(1);
    expect(stack.model.requests().byRole.fixer).toBe(1);
  });

  it('fails with check_failed after maxFixRounds, with the diagnostics and no version', async () => {
    const { job, projectId, events } = await buildOneFile('src/score.ts', wrongType, { maxFixRounds: 1 });
    expect(job).toMatchObject({ status: 'failed', stage: 'check', resultVersion: null, error: { code: 'check_failed' } });
    expect(job.error?.message).toMatch(/1 type errors after 1 fix rounds/);
    expect(job.error?.details).toEqual({ diagnostics: [expect.objectContaining({ file: 'src/score.ts', code: 2322 })] });
    expect(checks(events)).toEqual([{ ok: false, round: 0 }, { ok: false, round: 1 }]);
    // One round: the offline fixer cannot fix this, so it is asked for edits twice, then for whole files.
    expect(fixRounds(events)).toBe(1);
    expect(stack.model.requests().byRole.fixer).toBe(3);
    expect(await api.versions(projectId)).toEqual([]);
  });

  it('fails with loop_detected when a fix round leaves the same type errors', async () => {
    const { job, projectId, events } = await buildOneFile('src/score.ts', wrongType, { maxFixRounds: 3 });
    expect(job).toMatchObject({ status: 'failed', resultVersion: null, error: { code: 'loop_detected' } });
    expect(job.error?.message).toMatch(/same type errors/);
    expect(fixRounds(events)).toBe(1);
    expect(checks(events)).toEqual([{ ok: false, round: 0 }, { ok: false, round: 1 }]);
    expect(await api.versions(projectId)).toEqual([]);
  });

  it('fails with budget_exceeded once the job spends more tokens than its budget', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { tokenBudget: 1_000 });
    const job = await stack.waitForJob((await stack.send(sessionId, 'Build a todo app where I can add and remove tasks')).id);
    expect(job).toMatchObject({ status: 'failed', resultVersion: null, error: { code: 'budget_exceeded' } });
    expect(job.usage.promptTokens + job.usage.completionTokens).toBeGreaterThan(1_000);
    expect(job.error?.message).toContain('over its budget of 1000');
    expect(await api.versions(projectId)).toEqual([]);
  });
});
