import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJobActivities } from '../../activities/agents/job-activities';
import { initOrm, type MikroORM } from '../../db/orm';
import { AgentJob, AgentSession, AuditLog, SessionMessage } from '../../db/entities/index';
import { generatedBy, recordGenerated } from '../../db/repositories/generated-files';
import { entriesBefore } from '../../db/repositories/transcript';
import { SessionSettings, type JobPlan, type Usage } from '../../domain/agents';
import type { EventDraft } from '../../domain/agent-workflows';
import { countingClient } from '../support/counting-pg-client';

let orm: MikroORM;
beforeAll(async () => { orm = await initOrm(inject('databaseUrl'), { pool: { min: 0, max: 4 } }); });
afterAll(async () => orm?.close());

const usage = (promptTokens: number, calls: number): Usage => ({ promptTokens, completionTokens: 0, calls });
const plan: JobPlan = { summary: 'A todo app', message: 'Create a todo app', files: [{ path: 'src/App.tsx', action: 'create', why: 'the app' }] };
let seq = 0;
const stage = (status: 'running' | 'waiting', name: 'intent' | 'plan' | 'generate'): EventDraft => ({ type: 'job.stage', data: { status, stage: name }, key: `stage-${++seq}` });
const finished = (status: 'completed' | 'failed', resultVersion: number | null): EventDraft => ({
  type: 'job.finished',
  data: { status, resultVersion, error: status === 'failed' ? { code: 'internal', message: 'boom' } : null },
  key: `finished-${++seq}`,
});

/** A session with one earlier job (usage 100) and a queued job to report on. */
async function seedJob() {
  const em = orm.em.fork();
  const ids = { organizationId: randomUUID(), projectId: randomUUID(), actorId: randomUUID() };
  const session = em.create(AgentSession, { ...ids, createdById: ids.actorId, title: 'Reports', status: 'open', settings: SessionSettings.parse({}), usage: usage(0, 0) });
  em.create(AgentJob, { ...ids, sessionId: session.id, content: 'An earlier turn', status: 'completed', usage: usage(100, 1) });
  const job = em.create(AgentJob, { ...ids, sessionId: session.id, content: 'Build a todo app', usage: usage(0, 0) });
  await em.flush();
  return { jobId: job.id, sessionId: session.id };
}

const rowOf = (jobId: string) => orm.em.fork().findOneOrFail(AgentJob, jobId);
const auditsOf = (jobId: string) => orm.em.fork().find(AuditLog, { targetId: jobId }, { orderBy: { createdAt: 'asc' } });

describe('reportJob', () => {
  // The ORM exists once beforeAll ran.
  const reportJob: ReturnType<typeof createJobActivities>['reportJob'] = (input) => createJobActivities({ orm }).reportJob(input);

  it('starts once, finishes once per run (audit, session usage, generated rows), and mirrors the transcript', async () => {
    const { jobId, sessionId } = await seedJob();
    await reportJob({ jobId, patch: { status: 'running', stage: 'intent', baseVersion: null }, events: [stage('running', 'intent')] });
    const started = (await rowOf(jobId)).startedAt;
    expect(started).toBeInstanceOf(Date);
    await reportJob({ jobId, patch: { stage: 'generate', intent: 'new_app', plan, usage: usage(40, 2) }, events: [] });
    await recordGenerated(orm.em.fork(), { jobId, activityKey: `${jobId}/gen`, path: 'src/App.tsx', hash: 'a'.repeat(64), usage: usage(40, 2) });

    const done = { status: 'completed', stage: 'save', resultVersion: 3, error: null, usage: usage(50, 3) } as const;
    const end = finished('completed', 3);
    await reportJob({ jobId, patch: done, events: [end] });
    const row = await rowOf(jobId);
    expect(row).toMatchObject({ status: 'completed', resultVersion: 3, error: null, usage: usage(50, 3), plan, startedAt: started });
    expect(row.finishedAt).toBeInstanceOf(Date);
    expect((await orm.em.fork().findOneOrFail(AgentSession, sessionId)).usage).toEqual(usage(150, 4));
    expect((await generatedBy(orm.em.fork(), `${jobId}/gen`)).size).toBe(0);

    // A retried terminal report (same event key): finishedAt, the audit row and the transcript stay as they were.
    await reportJob({ jobId, patch: done, events: [end] });
    expect((await rowOf(jobId)).finishedAt).toEqual(row.finishedAt);
    expect((await auditsOf(jobId)).map((a) => [a.action, a.details])).toEqual([['job.completed', { resultVersion: 3, error: null }]]);
    const transcript = await orm.em.fork().find(SessionMessage, { jobId }, { orderBy: { id: 'asc' } });
    expect(transcript.map((m) => [m.author, m.kind, m.text])).toEqual([
      ['user', 'message', 'Build a todo app'],
      ['forge', 'outcome', 'Saved version 3: Create a todo app'],
    ]);
  });

  it('reopens a finished row on progress (an operator reset): result and error cleared, startedAt kept, finished once more', async () => {
    const { jobId } = await seedJob();
    await reportJob({ jobId, patch: { status: 'running', stage: 'intent' }, events: [] });
    const { startedAt } = await rowOf(jobId);
    await reportJob({ jobId, patch: { status: 'failed', error: { code: 'internal', message: 'boom' } }, events: [finished('failed', null)] });
    expect((await rowOf(jobId)).error).toEqual({ code: 'internal', message: 'boom' });

    // A patch naming a result on reopen does not keep it: the new run has none yet.
    await reportJob({ jobId, patch: { status: 'running', stage: 'plan', resultVersion: 9 }, events: [] });
    expect(await rowOf(jobId)).toMatchObject({ status: 'running', finishedAt: null, resultVersion: null, error: null, startedAt });

    await reportJob({ jobId, patch: { status: 'completed', resultVersion: 4, error: null }, events: [] });
    expect(await rowOf(jobId)).toMatchObject({ status: 'completed', resultVersion: 4, error: null });
    expect((await auditsOf(jobId)).map((a) => a.action)).toEqual(['job.failed', 'job.completed']);
  });

  it('refuses a job that does not exist, appending nothing', async () => {
    const jobId = randomUUID();
    await expect(reportJob({ jobId, patch: { stage: 'plan' }, events: [stage('running', 'plan')] })).rejects.toThrow(/AgentJob/);
    expect(await orm.em.fork().execute('select seq from events where topic = ?', [`job:${jobId}`])).toEqual([]);
  });

  it('writes nothing when an event does not match its schema', async () => {
    const { jobId } = await seedJob();
    const bad: EventDraft = { type: 'job.stage', data: { status: 'running', stage: 'nowhere' }, key: `bad-${++seq}` };
    await expect(reportJob({ jobId, patch: { status: 'running', stage: 'plan' }, events: [bad] })).rejects.toThrow(/schema/);
    expect(await rowOf(jobId)).toMatchObject({ status: 'queued', stage: null, startedAt: null });
  });

  it('writes a progress report in one statement; the transcript and a run\'s end add their writes in one transaction', async () => {
    const { Client, counter } = countingClient();
    const counted = await initOrm(inject('databaseUrl'), { pool: { min: 0, max: 1 }, driverOptions: { Client } });
    try {
      const { jobId } = await seedJob();
      const report = createJobActivities({ orm: counted }).reportJob;
      await report({ jobId, patch: { status: 'running', stage: 'plan' }, events: [stage('running', 'plan')] }); // connect
      counter.queries = 0;
      await report({ jobId, patch: { stage: 'generate', plan }, events: [stage('running', 'generate')] });
      expect(counter.queries).toBe(1);
      counter.queries = 0;
      // BEGIN, the row and events, the user's message in the transcript, COMMIT.
      await report({ jobId, patch: { status: 'waiting', stage: 'intent' }, events: [stage('waiting', 'intent')] });
      expect(counter.queries).toBe(4);
      counter.queries = 0;
      // The end of a run adds its once-per-run writes: generated rows, the session's usage, the audit row.
      await report({ jobId, patch: { status: 'completed', resultVersion: 1, usage: usage(1, 1) }, events: [finished('completed', 1)] });
      expect(counter.queries).toBe(7);
      const stored = await orm.em.fork().execute('select type from events where topic = ? order by seq', [`job:${jobId}`]);
      expect(stored.map((e) => e.type)).toEqual(['job.stage', 'job.stage', 'job.stage', 'job.finished']);
    } finally {
      await counted.close();
    }
  });
});

describe('entriesBefore', () => {
  it("returns the session's entries before the job's own turn, in one statement, and fails for a missing job", async () => {
    const { jobId, sessionId } = await seedJob();
    const em = orm.em.fork();
    const later = randomUUID();
    const entry = (job: string, text: string) => em.create(SessionMessage, { sessionId, jobId: job, author: 'user', kind: 'message', text, data: {}, idempotencyKey: randomUUID() });
    const earlier = randomUUID();
    entry(earlier, 'first');
    await em.flush();
    expect((await entriesBefore(orm.em.fork(), jobId)).map((e) => e.text)).toEqual(['first']);
    entry(jobId, 'mine');
    await em.flush();
    entry(later, 'after mine');
    await em.flush();
    expect(await entriesBefore(orm.em.fork(), jobId)).toEqual([expect.objectContaining({ sessionId, author: 'user', kind: 'message', text: 'first' })]);
    await expect(entriesBefore(orm.em.fork(), randomUUID())).rejects.toThrow(/AgentJob/);
  });
});
