import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentDto } from '../../domain/deployments';
import { blankPageApp, generatedApp } from '../support/app-fixtures';
import { deploymentSettled, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';

let stack: DeliveryStack;
beforeAll(async () => {
  stack = await startDeliveryStack();
});
afterAll(async () => {
  await stack?.close();
});

const admin = () => stack.roles.admin.token;

async function deploy(projectId: string, version: number, token = admin()): Promise<DeploymentDto> {
  const res = await stack.app.call('POST', `/projects/${projectId}/deployments`, { token, body: { version, provider: 'local' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await stack.waitForDeployment(res.body.id, deploymentSettled);
  // The row settles first; the workflow then frees what the superseded release ran.
  await stack.env.client.workflow.getHandle(`deploy-${res.body.id}`).result();
  return (await stack.app.call('GET', `/deployments/${res.body.id}`, { token: admin() })).body;
}

async function served(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const script = /src="([^"]+\.js)"/.exec(html)![1]!;
  return (await fetch(new URL(script, url))).text();
}

const events = async (id: string) =>
  (await stack.app.call('GET', `/topics/deployment:${id}/events`, { token: admin() })).body.items as Array<{ type: string; data: Record<string, unknown> }>;

describe('production deployments', { timeout: 300_000 }, () => {
  it('promote a healthy release, and roll back automatically when the next one fails its health check', async () => {
    const { projectId, version: v1 } = await stack.newProject(generatedApp('release one'));
    const first = await deploy(projectId, v1);
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'live', previousDeploymentId: null, error: null });
    expect(await served(first.url!)).toContain('release one');

    const v2 = await stack.addVersion(projectId, v1, generatedApp('release two'));
    const second = await deploy(projectId, v2);
    expect(second).toMatchObject({ status: 'live', previousDeploymentId: first.id });
    expect(await served(second.url!)).toContain('release two');
    // Promotion superseded the first release and freed what it ran.
    expect((await stack.app.call('GET', `/deployments/${first.id}`, { token: admin() })).body.status).toBe('superseded');
    await expect(fetch(first.url!)).rejects.toThrow();
    expect((await events(second.id)).find((e) => e.type === 'deployment.promoted')?.data).toMatchObject({ previousDeploymentId: first.id });

    const v3 = await stack.addVersion(projectId, v2, blankPageApp('release three'));
    const third = await deploy(projectId, v3);
    expect(third.status).toBe('rolled_back');
    expect(third.error).toMatchObject({ code: 'health_check_failed' });
    const rollback = (await events(third.id)).find((e) => e.type === 'deployment.rolled_back');
    expect(rollback?.data).toMatchObject({ status: 'rolled_back', rolledBackTo: second.id, error: { code: 'health_check_failed' } });

    // The previous release is still the live one, and still serves.
    const stillLive = (await stack.app.call('GET', `/deployments/${second.id}`, { token: admin() })).body;
    expect(stillLive.status).toBe('live');
    expect(await served(stillLive.url)).toContain('release two');
    await expect(fetch(third.url!)).rejects.toThrow();
  });

  it('fails without touching anything when there is nothing to roll back to', async () => {
    const { projectId, version } = await stack.newProject(blankPageApp('first and broken'));
    const only = await deploy(projectId, version);
    expect(only.status).toBe('failed');
    expect(only.error!.code).toBe('health_check_failed');
    await expect(fetch(only.url!)).rejects.toThrow();
  });

  it('is for admins only: an editor cannot deploy to production', async () => {
    const { projectId, version } = await stack.newProject(generatedApp('guarded'));
    const asEditor = await stack.app.call('POST', `/projects/${projectId}/deployments`, { token: stack.roles.editor.token, body: { version, provider: 'local' } });
    expect(asEditor.status).toBe(403);
    expect(asEditor.body.error.code).toBe('forbidden');
    const asOutsider = await stack.app.call('POST', `/projects/${projectId}/deployments`, { token: stack.roles.outsider.token, body: { version, provider: 'local' } });
    expect(asOutsider.status).toBe(404);
    // A provider the organization has not configured is refused before anything starts.
    const unconfigured = await stack.app.call('POST', `/projects/${projectId}/deployments`, { token: admin(), body: { version, provider: 'render' } });
    expect(unconfigured.status).toBe(409);
    const rows = await stack.app.deps.orm.em.fork().execute('select count(*)::int as n from deployments where project_id = ?', [projectId]);
    expect(rows[0]!.n).toBe(0);
  });
});
