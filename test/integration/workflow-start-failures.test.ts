import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployWorkflowId } from '../../domain/workflow-ids';
import { createProject, saveVersion } from '../support/projects';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What the API leaves behind when a workflow start fails, and what it refuses to start: two APIs
 * on the run's database, one whose Temporal namespace does not exist (every start fails at once),
 * one whose task queues no worker polls (workflows start and stay where they are).
 */
let broken: TestApp;
let idle: TestApp;
let roles: Awaited<ReturnType<typeof seedRoleMatrix>>;
beforeAll(async () => {
  broken = await startTestApp({ TEMPORAL_NAMESPACE: `no-such-namespace-${randomUUID()}` });
  idle = await startTestApp({ TEMPORAL_TASK_QUEUE_PREFIX: `nobody-polls-${randomUUID()}-` });
  roles = await seedRoleMatrix(idle.deps.orm, idle.deps.tokens);
});
afterAll(async () => {
  await broken?.close();
  await idle?.close();
});

describe('workflow starts', () => {
  it('closes the session row when its workflow cannot start, answering 503', async () => {
    const token = roles.editor.token;
    const projectId = await createProject(idle, token, roles.orgId);
    const res = await broken.call('POST', `/projects/${projectId}/sessions`, { token, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    const [row] = await idle.deps.orm.em.fork().execute<Array<{ status: string }>>('select status from agent_sessions where project_id = ?', [projectId]);
    expect(row?.status).toBe('closed');
  });

  it('runs one deployment per project at a time: a second start while one is in progress is 409', async () => {
    const token = roles.admin.token;
    const projectId = await createProject(idle, token, roles.orgId);
    await saveVersion(idle, token, projectId, null, [{ path: 'index.html', content: '<div id="root"></div>' }]);
    const other = await createProject(idle, token, roles.orgId);
    await saveVersion(idle, token, other, null, [{ path: 'index.html', content: '<div id="root"></div>' }]);
    const deploy = (id: string) => idle.call('POST', `/projects/${id}/deployments`, { token, body: { version: 1 } });
    const started: string[] = [];
    try {
      // Two at once: the partial unique index settles the race the check alone would lose.
      const [a, b] = await Promise.all([deploy(projectId), deploy(projectId)]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([202, 409]);
      const accepted = a.status === 202 ? a : b;
      const refused = a.status === 202 ? b : a;
      started.push(accepted.body.id);
      expect(refused.body.error).toMatchObject({ code: 'conflict', details: { deploymentId: accepted.body.id } });
      expect((await deploy(projectId)).status).toBe(409);
      // Another project is not held up.
      const elsewhere = await deploy(other);
      expect(elsewhere.status).toBe(202);
      started.push(elsewhere.body.id);

      // An operator terminates the one in progress: its row can never end by itself, so it no longer blocks.
      await idle.deps.temporal.workflow.getHandle(deployWorkflowId(accepted.body.id)).terminate('operator');
      const next = await deploy(projectId);
      expect(next.status, JSON.stringify(next.body)).toBe(202);
      started.push(next.body.id);
      const stale = await idle.call('GET', `/deployments/${accepted.body.id}`, { token });
      expect(stale.body).toMatchObject({ status: 'failed', error: { code: 'internal' } });
    } finally {
      for (const id of started) await idle.deps.temporal.workflow.getHandle(deployWorkflowId(id)).terminate('test cleanup').catch(() => undefined);
    }
  });
});
