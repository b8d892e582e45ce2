import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegenApi, waitingAt } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { sql } from '../support/projects';

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack();
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

describe('a session queue and job retries through the API', () => {
  it('shows each queued message as a queued job and cancels one that has not started', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { requireApproval: true });
    const first = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    await stack.waitForJob(first.id, waitingAt('approval'));
    const second = await stack.send(sessionId, 'What files does my app have?');
    const third = await stack.send(sessionId, 'What does the app do?');
    expect((await api.session(sessionId)).jobs.map((j) => [j.id, j.status])).toEqual([[first.id, 'waiting'], [second.id, 'queued'], [third.id, 'queued']]);

    const cancelled = await api.command(second.id, 'cancel');
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(cancelled.body.job).toMatchObject({ id: second.id, status: 'cancelled' });
    expect((await api.command(second.id, 'cancel')).status).toBe(409);

    expect((await api.command(first.id, 'approve')).status).toBe(202);
    expect(await stack.waitForJob(third.id)).toMatchObject({ status: 'completed', intent: 'question' });
    const jobs = (await api.session(sessionId)).jobs;
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'cancelled', 'completed']);
    // The cancelled message never ran.
    expect(jobs[1]).toMatchObject({ startedAt: null, stage: null });
  });

  it('writes `queued` for a retry before the new run can write `running`', async () => {
    const projectId = await stack.newProject();
    const sessionId = await stack.startSession(projectId, { requireApproval: true });
    const job = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
    await stack.waitForJob(job.id, waitingAt('approval'));
    expect((await api.command(job.id, 'cancel')).status).toBe(202);
    await stack.waitForJob(job.id);

    // The retry's audit row (flushed with a `queued` written after the start, inserts first) is held
    // up 1.5 s by a trigger: the new run's progress lands meanwhile, and a late `queued` would then
    // cover it, leaving the row `queued` while the job waits for approval.
    const name = `slow_retry_${job.id.replaceAll('-', '')}`;
    await sql(stack.app, `create or replace function ${name}() returns trigger language plpgsql as $$ begin perform pg_sleep(1.5); return new; end $$`);
    await sql(stack.app, `create trigger ${name} before insert on audit_logs for each row when (new.action = 'job.retry' and new.target_id = '${job.id}') execute function ${name}()`);
    try {
      expect((await api.command(job.id, 'retry')).status).toBe(202);
      await stack.waitForJob(job.id, waitingAt('approval'), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await stack.waitForJob(job.id, () => true)).status).toBe('waiting');
    } finally {
      await sql(stack.app, `drop trigger if exists ${name} on audit_logs`);
      await sql(stack.app, `drop function if exists ${name}()`);
    }
  });
});
