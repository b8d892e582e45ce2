import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { DeliveryFailureType } from '../../domain/errors';
import { jobWorkflowId, previewWorkflowId, projectDeletionWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { codegenApi, eventually, waitingAt } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { sql } from '../support/projects';
import { statusByActor } from '../support/role-matrix';

/** destroyRelease attempts: the first of each release fails as a provider outage would. */
const teardownAttempts = new Map<string, number>();

let stack: CodegenStack;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  stack = await startCodegenStack({
    wrapActivities: (a) => ({
      ...a,
      builds: {
        ...a.builds,
        destroyRelease: async (input) => {
          const n = (teardownAttempts.get(input.ref.resource) ?? 0) + 1;
          teardownAttempts.set(input.ref.resource, n);
          if (n === 1) throw ApplicationFailure.retryable('The provider is unavailable (503)', DeliveryFailureType.providerUnavailable);
          return a.builds.destroyRelease(input);
        },
      },
    }),
  });
  api = codegenApi(stack);
});
afterAll(async () => stack?.close());

const call = (method: string, path: string, token = stack.roles.admin.token, body?: unknown) => stack.app.call<any>(method, path, { token, body });
const localResources = () => createLocalProvider({ dir: join('.data/builds', 'local-servers'), sandbox: 'none', memoryMb: 64 }).list();
const closedStatus = async (workflowId: string) => (await stack.env.client.workflow.getHandle(workflowId).describe()).status.name;
const projectGone = (projectId: string) => eventually(async () => (await call('GET', `/projects/${projectId}`)).status === 404, 'the project to be deleted', 150_000);

describe('project lifecycle', { timeout: 240_000 }, () => {
  it('deletes only for admins, answering 202 with the deletion id; the project is 404 once it ends', async () => {
    const started: Array<{ projectId: string; token: string }> = [];
    const statuses = await statusByActor(stack.app, async (m, as) => {
      const res = await stack.app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.admin.token, body: { name: `P ${randomUUID().slice(0, 8)}` } });
      const deleted = await stack.app.call('DELETE', `/projects/${res.body.id}`, { token: as.token });
      if (deleted.status === 202) started.push({ projectId: res.body.id, token: m.admin.token });
      return deleted;
    });
    expect(statuses).toEqual({ admin: 202, editor: 403, viewer: 403, outsider: 404 });
    for (const { projectId, token } of started) {
      await stack.env.client.workflow.getHandle(projectDeletionWorkflowId(projectId)).result();
      expect((await call('GET', `/projects/${projectId}`, token)).status).toBe(404);
    }
  });

  it('lists sessions, previews and deployments newest first, then deletes the project with everything running for it', async () => {
    const projectId = await stack.newProject();
    await stack.seedApp(projectId);
    const sessions = [await stack.startSession(projectId), await stack.startSession(projectId)];
    const listed = await call('GET', `/projects/${projectId}/sessions?limit=1`, stack.roles.viewer.token);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([sessions[1]]);
    const next = await call('GET', `/projects/${projectId}/sessions?limit=1&cursor=${encodeURIComponent(listed.body.nextCursor)}`, stack.roles.viewer.token);
    expect(next.body).toEqual({ items: [expect.objectContaining({ id: sessions[0] })] });

    // Close one session through the API; the other keeps a job waiting for an answer.
    expect((await call('POST', `/sessions/${sessions[0]}/close`, stack.roles.editor.token)).status).toBe(202);
    await eventually(async () => (await api.session(sessions[0]!)).status === 'closed', 'the session to close');
    const waiting = await stack.send(sessions[1]!, 'Change');
    await stack.waitForJob(waiting.id, waitingAt('questions'));

    const preview = await call('POST', `/projects/${projectId}/previews`, stack.roles.editor.token, { version: 1 });
    expect(preview.status).toBe(202);
    const deployment = await call('POST', `/projects/${projectId}/deployments`, stack.roles.admin.token, { version: 1, provider: 'local' });
    expect(deployment.status).toBe(202);
    const live = async (path: string) => eventually(async () => (await call('GET', path)).body.status === 'live', `${path} to go live`, 150_000);
    await Promise.all([live(`/previews/${preview.body.id}`), live(`/deployments/${deployment.body.id}`)]);
    expect((await call('GET', `/projects/${projectId}/previews`, stack.roles.viewer.token)).body.items.map((p: { id: string }) => p.id)).toEqual([preview.body.id]);
    expect((await call('GET', `/projects/${projectId}/deployments`, stack.roles.viewer.token)).body.items.map((d: { id: string }) => d.id)).toEqual([deployment.body.id]);
    const running = (await localResources()).filter((r) => r.includes(preview.body.id) || r.includes(deployment.body.id));
    expect(running).toHaveLength(2);

    const deletion = await call('DELETE', `/projects/${projectId}`);
    expect(deletion.status).toBe(202);
    expect(deletion.body).toEqual({ id: expect.any(String), projectId, status: 'deleting' });
    // A second DELETE finds the running deletion; nothing new may start meanwhile.
    expect((await call('DELETE', `/projects/${projectId}`)).body.id).toBe(deletion.body.id);
    expect((await call('POST', `/projects/${projectId}/sessions`, stack.roles.editor.token, {})).status).toBe(409);

    await projectGone(projectId);
    await stack.env.client.workflow.getHandle(projectDeletionWorkflowId(projectId)).result();
    expect(await closedStatus(jobWorkflowId(waiting.id))).toBe('CANCELLED');
    // Cancelled, or completed when its job's cancellation reached it first and it closed on its own: either way closed.
    expect(['CANCELLED', 'COMPLETED']).toContain(await closedStatus(sessionWorkflowId(sessions[1]!)));
    // A cancelled preview runs its compensation and returns `destroyed`: closed either way, its server gone (checked below).
    expect(['CANCELLED', 'COMPLETED']).toContain(await closedStatus(previewWorkflowId(preview.body.id)));
    // The provider failed the first teardown; Temporal retried it.
    expect([...teardownAttempts.entries()].filter(([r]) => r.includes(deployment.body.id)).map(([, n]) => n)).toEqual([2]);
    expect((await localResources()).filter((r) => running.includes(r))).toEqual([]);

    for (const table of ['agent_sessions', 'agent_jobs', 'previews', 'deployments', 'code_versions']) {
      expect(await sql(stack.app, `select 1 from ${table} where project_id = ?`, [projectId]), table).toEqual([]);
    }
    expect(await sql(stack.app, 'select 1 from session_messages where session_id in (?, ?)', sessions)).toEqual([]);
    expect(await sql(stack.app, `select action from audit_logs where target_id = ? and action like 'project.delete%' order by created_at`, [projectId])).toEqual([{ action: 'project.delete' }, { action: 'project.deleted' }]);
    expect((await call('GET', `/projects/${projectId}/sessions`, stack.roles.viewer.token)).status).toBe(404);
    expect((await call('DELETE', `/projects/${projectId}`)).status).toBe(404);
  });
});
