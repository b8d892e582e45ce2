import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewDto } from '../../domain/previews';
import { previewWorkflowId } from '../../domain/workflow-ids';
import type { previewWorkflow } from '../../workflows/preview';
import { generatedApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';

let stack: DeliveryStack;
beforeAll(async () => {
  stack = await startDeliveryStack();
});
afterAll(async () => {
  await stack?.close();
});

const editor = () => stack.roles.editor.token;
const isLive = (p: PreviewDto) => previewEnded(p);

async function createPreview(projectId: string, body: object = {}): Promise<PreviewDto> {
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: editor(), body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}

async function events(previewId: string) {
  const res = await stack.app.call('GET', `/topics/preview:${previewId}/events?afterSeq=0`, { token: editor() });
  expect(res.status).toBe(200);
  return res.body.items as Array<{ type: string; data: Record<string, unknown> }>;
}

// Builds are CPU-bound and the test machine is shared: generous time, never a hang.
describe('a preview', { timeout: 180_000 }, () => {
  it('builds the version and serves the app (HTML and its assets) until deleted', async () => {
    const marker = `Hello preview ${randomUUID()}`;
    const { projectId, version } = await stack.newProject(generatedApp(marker));
    const created = await createPreview(projectId);
    expect(created).toMatchObject({ projectId, version, status: 'pending', provider: 'local', ttlSeconds: 1800, url: null });

    const live = await stack.waitForPreview(created.id, isLive);
    expect(live.status, JSON.stringify(live)).toBe('live');
    expect(live.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(Date.parse(live.expiresAt!) - Date.now()).toBeGreaterThan(1700_000);

    const page = await fetch(live.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    const style = /href="([^"]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(new URL(script!, live.url!));
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain(marker);
    expect((await fetch(new URL(style!, live.url!))).status).toBe(200);
    // A client-side route gets the app shell; a missing asset stays a 404.
    expect(await (await fetch(new URL('/some/route', live.url!))).text()).toContain('id="root"');
    expect((await fetch(new URL('/assets/missing.js', live.url!))).status).toBe(404);

    const log = await events(created.id);
    expect(log.filter((e) => e.type === 'build.stage').map((e) => e.data.stage)).toEqual(['materialize', 'install', 'build']);
    expect(log.filter((e) => e.type === 'preview.status').map((e) => e.data.status)).toEqual(['building', 'starting', 'live']);
    expect(log.find((e) => e.type === 'health.check')?.data).toMatchObject({ ok: true, problems: [] });

    const deleted = await stack.app.call('DELETE', `/previews/${created.id}`, { token: editor() });
    expect(deleted.status).toBe(202);
    const ended = await stack.waitForPreview(created.id, (p) => p.status === 'destroyed');
    expect(ended).toMatchObject({ url: null, expiresAt: null, error: null });
    await expect(fetch(live.url!)).rejects.toThrow();
    expect((await events(created.id)).at(-1)).toMatchObject({ type: 'preview.status', data: { status: 'destroyed', reason: 'deleted' } });
    // Deleting again is already done.
    expect((await stack.app.call('DELETE', `/previews/${created.id}`, { token: editor() })).status).toBe(202);
  });

  it('restarts its lifetime on extend, and cannot be extended once ended', async () => {
    const { projectId } = await stack.newProject(generatedApp('extend me'));
    const created = await createPreview(projectId, { ttlSeconds: 60 });
    const live = await stack.waitForPreview(created.id, isLive);
    expect(live.status).toBe('live');
    const firstExpiry = Date.parse(live.expiresAt!);
    expect(firstExpiry - Date.now()).toBeLessThanOrEqual(60_000);

    const extended = await stack.app.call('POST', `/previews/${created.id}/extend`, { token: editor(), body: { ttlSeconds: 600 } });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(extended.body.ttlSeconds).toBe(600);
    expect(Date.parse(extended.body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect((await events(created.id)).some((e) => e.type === 'preview.extended')).toBe(true);
    expect((await stack.app.call('POST', `/previews/${created.id}/extend`, { token: editor(), body: { ttlSeconds: 5 } })).status).toBe(400);

    await stack.app.call('DELETE', `/previews/${created.id}`, { token: editor() });
    await stack.waitForPreview(created.id, (p) => p.status === 'destroyed');
    const late = await stack.app.call('POST', `/previews/${created.id}/extend`, { token: editor(), body: {} });
    expect(late.status).toBe(409);
  });

  it('ends on its durable timer and removes what the provider ran', async () => {
    const { projectId, version } = await stack.newProject(generatedApp('short-lived'));
    const previewId = randomUUID();
    // Started the way a codegen job starts it (the workflow records its own row), with a 3 s lifetime.
    const handle = await stack.env.client.workflow.start<typeof previewWorkflow>('previewWorkflow', {
      workflowId: previewWorkflowId(previewId),
      taskQueue: stack.agentsQueue,
      args: [{ previewId, projectId, organizationId: stack.roles.orgId, version, ttlSeconds: 3 }],
    });
    const live = await stack.waitForPreview(previewId, isLive);
    expect(live.status).toBe('live');
    expect((await fetch(live.url!)).status).toBe(200);

    expect(await handle.result()).toEqual({ status: 'destroyed', reason: 'expired' });
    expect((await stack.app.call('GET', `/previews/${previewId}`, { token: editor() })).body.status).toBe('destroyed');
    await expect(fetch(live.url!)).rejects.toThrow();
  });

  it('is visible to every member, started by editors, and invisible to other organizations', async () => {
    const { projectId } = await stack.newProject(generatedApp('access'));
    expect((await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.viewer.token, body: {} })).status).toBe(403);
    expect((await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.outsider.token, body: {} })).status).toBe(404);
    expect((await stack.app.call('POST', `/projects/${projectId}/previews`, { token: editor(), body: { version: 99 } })).status).toBe(404);

    const created = await createPreview(projectId);
    expect((await stack.app.call('GET', `/previews/${created.id}`, { token: stack.roles.viewer.token })).status).toBe(200);
    expect((await stack.app.call('GET', `/previews/${created.id}`, { token: stack.roles.outsider.token })).status).toBe(404);
    expect((await stack.app.call('DELETE', `/previews/${created.id}`, { token: stack.roles.viewer.token })).status).toBe(403);
    expect((await stack.app.call('DELETE', `/previews/${created.id}`, { token: stack.roles.outsider.token })).status).toBe(404);
    // Deleted while it may still be building: it ends destroyed either way.
    expect((await stack.app.call('DELETE', `/previews/${created.id}`, { token: editor() })).status).toBe(202);
    expect((await stack.waitForPreview(created.id, (p) => p.status === 'destroyed' || p.status === 'failed')).status).toBe('destroyed');
  });
});
