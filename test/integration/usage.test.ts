import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentJob, AgentSession } from '../../db/entities/index';
import { SessionSettings, type Usage } from '../../domain/agents';
import { createProject } from '../support/projects';
import { statusByActor } from '../support/role-matrix';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// $2 per million prompt tokens, $8 per million completion tokens: every cost below is exact.
let app: TestApp;
beforeAll(async () => { app = await startTestApp({ LLM_PRICE_PROMPT_PER_MTOK: '2', LLM_PRICE_COMPLETION_PER_MTOK: '8' }); });
afterAll(async () => app?.close());

const usage = (promptTokens: number, completionTokens: number, calls: number): Usage => ({ promptTokens, completionTokens, calls });

/** A session and its job rows as the worker leaves them, written straight to the database. */
async function seedJobs(orgId: string, projectId: string, actorId: string, jobs: Array<{ usage: Usage; createdAt?: Date; status?: AgentJob['status'] }>) {
  const em = app.deps.orm.em.fork();
  const total = jobs.reduce((sum, j) => usage(sum.promptTokens + j.usage.promptTokens, sum.completionTokens + j.usage.completionTokens, sum.calls + j.usage.calls), usage(0, 0, 0));
  const session = em.create(AgentSession, { organizationId: orgId, projectId, createdById: actorId, title: 'Seeded', status: 'open', settings: SessionSettings.parse({}), usage: total });
  const rows = jobs.map((j) =>
    em.create(AgentJob, {
      organizationId: orgId, projectId, sessionId: session.id, actorId, content: 'Build a todo app',
      status: j.status ?? 'completed', usage: j.usage, ...(j.createdAt ? { createdAt: j.createdAt } : {}),
    }),
  );
  await em.flush();
  return { sessionId: session.id, jobIds: rows.map((r) => r.id) };
}

describe('GET /orgs/:orgId/usage', () => {
  let m: Awaited<ReturnType<typeof seedRoleMatrix>>;
  let bigProject: string;
  let smallProject: string;
  const deletedProject = randomUUID();
  const window = '?from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z';

  beforeAll(async () => {
    m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    bigProject = await createProject(app, m.editor.token, m.orgId, 'Big spender');
    smallProject = await createProject(app, m.editor.token, m.orgId, 'Small spender');
    const otherProject = await createProject(app, m.outsider.token, m.otherOrgId, 'Elsewhere');
    await seedJobs(m.orgId, bigProject, m.editor.userId, [
      { usage: usage(1_000_000, 500_000, 10) },
      // A failed job spent its tokens too.
      { usage: usage(250_000, 0, 2), status: 'failed' },
    ]);
    await seedJobs(m.orgId, smallProject, m.editor.userId, [
      { usage: usage(1_000, 2_000, 3) },
      // Before the window: left out.
      { usage: usage(9_000_000, 9_000_000, 9), createdAt: new Date('2025-06-01T00:00:00Z') },
    ]);
    // Jobs have no foreign key to their project, so usage outlives a deleted project.
    await seedJobs(m.orgId, deletedProject, m.editor.userId, [{ usage: usage(0, 1_000_000, 1) }]);
    await seedJobs(m.otherOrgId, otherProject, m.outsider.userId, [{ usage: usage(7_000_000, 7_000_000, 7) }]);
  });

  it('sums every job of the window per organization and per project, priced at the configured rates', async () => {
    const res = await app.call('GET', `/orgs/${m.orgId}/usage${window}`, { token: m.viewer.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      organizationId: m.orgId,
      from: '2026-01-01T00:00:00.000Z',
      to: '2100-01-01T00:00:00.000Z',
      prices: { promptPerMTok: 2, completionPerMTok: 8 },
      // 1,251,000 prompt tokens at $2/M + 1,502,000 completion tokens at $8/M.
      total: { jobs: 4, calls: 16, promptTokens: 1_251_000, completionTokens: 1_502_000, costUsd: 14.518 },
    });
    // Biggest spender first.
    expect(res.body.projects).toEqual([
      { projectId: deletedProject, name: null, jobs: 1, calls: 1, promptTokens: 0, completionTokens: 1_000_000, costUsd: 8 },
      { projectId: bigProject, name: 'Big spender', jobs: 2, calls: 12, promptTokens: 1_250_000, completionTokens: 500_000, costUsd: 6.5 },
      { projectId: smallProject, name: 'Small spender', jobs: 1, calls: 3, promptTokens: 1_000, completionTokens: 2_000, costUsd: 0.018 },
    ]);
  });

  it('defaults to the current UTC month and takes `to` as exclusive', async () => {
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const byDefault = await app.call('GET', `/orgs/${m.orgId}/usage`, { token: m.viewer.token });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.from).toBe(monthStart);
    expect(byDefault.body.total.jobs).toBe(4);

    const before = await app.call('GET', `/orgs/${m.orgId}/usage?from=2025-06-01T00:00:00Z&to=2025-06-01T00:00:00.001Z`, { token: m.viewer.token });
    expect(before.body.total).toMatchObject({ jobs: 1, promptTokens: 9_000_000, costUsd: 90 });
    const endsAtIt = await app.call('GET', `/orgs/${m.orgId}/usage?from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z`, { token: m.viewer.token });
    expect(endsAtIt.body.total).toEqual({ jobs: 0, calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(endsAtIt.body.projects).toEqual([]);
  });

  it('refuses a window that ends before it starts, or is not a timestamp', async () => {
    const backwards = await app.call('GET', `/orgs/${m.orgId}/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, { token: m.viewer.token });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('invalid_input');
    const garbage = await app.call('GET', `/orgs/${m.orgId}/usage?from=yesterday`, { token: m.viewer.token });
    expect(garbage.status).toBe(400);
  });

  it('is for every member of the organization and does not exist for anyone else', async () => {
    const statuses = await statusByActor(app, (matrix, actor) => app.call('GET', `/orgs/${matrix.orgId}/usage`, { token: actor.token }));
    expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 200, outsider: 404 });
    expect((await app.call('GET', `/orgs/${m.orgId}/usage`)).status).toBe(401);
  });
});

describe('cost on jobs and sessions', () => {
  it('prices the usage a job and its session recorded', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const projectId = await createProject(app, m.editor.token, m.orgId);
    const { sessionId, jobIds } = await seedJobs(m.orgId, projectId, m.editor.userId, [{ usage: usage(300_000, 100_000, 4) }, { usage: usage(200_000, 0, 1) }]);

    const job = await app.call('GET', `/jobs/${jobIds[0]}`, { token: m.viewer.token });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ usage: usage(300_000, 100_000, 4), costUsd: 1.4 });

    const session = await app.call('GET', `/sessions/${sessionId}`, { token: m.viewer.token });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ usage: usage(500_000, 100_000, 5), costUsd: 1.8 });
    expect(session.body.jobs.map((j: { costUsd: number }) => j.costUsd).sort((a: number, b: number) => a - b)).toEqual([0.4, 1.4]);
  });
});
