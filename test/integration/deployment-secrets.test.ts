import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envPrintingApp, generatedApp } from '../support/app-fixtures';
import { deploymentSettled, previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';
import { startFakeDockerEngine, type FakeDockerEngine } from '../support/fake-docker-engine';
import { startFakeRenderApi, type FakeRenderApi } from '../support/fake-render-api';
import { sql } from '../support/projects';

let stack: DeliveryStack;
let engine: FakeDockerEngine;
let render: FakeRenderApi;
const savedKey = `rnd_saved-${randomUUID()}`;
// Things the worker process holds that generated code and logs must never see.
const canary = `worker-canary-${randomUUID()}`;

beforeAll(async () => {
  [stack, engine, render] = await Promise.all([startDeliveryStack(), startFakeDockerEngine(), startFakeRenderApi()]);
  process.env.FORGE_SECRET_CANARY = canary;
  process.env.ENCRYPTION_KEY = stack.encryptionKey;
  process.env.DATABASE_URL = stack.config.DATABASE_URL;
});
afterAll(async () => {
  delete process.env.FORGE_SECRET_CANARY;
  delete process.env.ENCRYPTION_KEY;
  delete process.env.DATABASE_URL;
  await Promise.all([stack?.close(), engine?.close(), render?.close()]);
});

const admin = () => stack.roles.admin.token;
const secretsIn = (text: string) => [savedKey, stack.encryptionKey, canary, stack.config.DATABASE_URL].filter((secret) => text.includes(secret));

async function saveRender(token = admin()) {
  return stack.app.call('PUT', `/orgs/${stack.roles.orgId}/providers/render`, {
    token,
    body: { settings: { ownerId: 'tea-forge', imageRepository: 'registry.example.test/forge/app', apiUrl: `${render.url}/v1` }, secrets: { apiKey: savedKey } },
  });
}

describe('secrets', { timeout: 180_000 }, () => {
  it('are saved encrypted by admins, answered by name only, and kept out of the audit log', async () => {
    expect((await saveRender(stack.roles.editor.token)).status).toBe(403);
    const saved = await saveRender();
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ provider: 'render', secretNames: ['apiKey'], settings: { ownerId: 'tea-forge' } });
    const docker = await stack.app.call('PUT', `/orgs/${stack.roles.orgId}/providers/docker`, { token: admin(), body: { settings: { host: engine.url } } });
    expect(docker.status).toBe(200);
    const listed = await stack.app.call('GET', `/orgs/${stack.roles.orgId}/providers`, { token: admin() });
    expect(listed.body.items.map((c: { provider: string }) => c.provider)).toEqual(['docker', 'render']);
    expect(secretsIn(JSON.stringify([saved.body, listed.body]))).toEqual([]);

    const [row] = await sql<{ sealed_secrets: string; settings: object }>(stack.app, "select sealed_secrets, settings from provider_configs where provider = 'render' and organization_id = ?", [stack.roles.orgId]);
    expect(row!.sealed_secrets).toMatch(/^v1\./);
    expect(secretsIn(JSON.stringify(row))).toEqual([]);
    const audit = await sql(stack.app, 'select details from audit_logs where organization_id = ?', [stack.roles.orgId]);
    expect(secretsIn(JSON.stringify(audit))).toEqual([]);

    // A refused configuration does not echo what was sent.
    const invalid = await stack.app.call('PUT', `/orgs/${stack.roles.orgId}/providers/render`, { token: admin(), body: { settings: { imageRepository: 'x' }, secrets: { apiKey: savedKey } } });
    expect(invalid.status).toBe(400);
    expect(secretsIn(JSON.stringify(invalid.body))).toEqual([]);
  });

  it('reach the provider decrypted, and never its errors, logs or events', async () => {
    const { projectId, version } = await stack.newProject(generatedApp('to render'));
    const res = await stack.app.call('POST', `/projects/${projectId}/deployments`, { token: admin(), body: { version, provider: 'render' } });
    expect(res.status).toBe(202);
    const deployment = await stack.waitForDeployment(res.body.id, deploymentSettled);

    // The fake Render knows another key: the saved one reached it, and the refusal is final.
    expect(render.requests.at(-1)!.authorization).toBe(`Bearer ${savedKey}`);
    expect(deployment).toMatchObject({ status: 'failed', error: { code: 'provider_rejected', message: 'render: HTTP 401: unauthorized' } });
    // The image was built and pushed by the organization's own engine first.
    expect(engine.pushes.at(-1)!.tag).toBe(`deploy-${deployment.id}`);
    const events = await stack.app.call('GET', `/topics/deployment:${deployment.id}/events`, { token: admin() });
    expect(secretsIn(JSON.stringify([deployment, events.body]))).toEqual([]);
  });

  it('are absent from the build environment and the build log', async () => {
    const { projectId } = await stack.newProject(envPrintingApp('env check'));
    const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.editor.token, body: {} });
    const preview = await stack.waitForPreview(res.body.id, previewEnded);
    expect(preview.status, JSON.stringify(preview)).toBe('live');

    const line = preview.logs.find((l) => l.startsWith('BUILD-ENV '))!;
    const buildEnv = JSON.parse(line.slice('BUILD-ENV '.length)) as Record<string, string>;
    expect(Object.keys(buildEnv).filter((k) => k !== 'PWD').sort()).toEqual(['CI', 'HOME', 'LANG', 'NODE_ENV', 'NO_COLOR', 'PATH', 'TMPDIR']);
    const events = await stack.app.call('GET', `/topics/preview:${preview.id}/events`, { token: stack.roles.editor.token });
    expect(secretsIn(JSON.stringify([preview, events.body]))).toEqual([]);
    await stack.app.call('DELETE', `/previews/${preview.id}`, { token: stack.roles.editor.token });
    await stack.waitForPreview(preview.id, (p) => p.status === 'destroyed');
  });
});
