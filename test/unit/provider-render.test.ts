import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerProvider } from '../../activities/providers/docker-provider';
import { createRenderProvider } from '../../activities/providers/render-provider';
import { DockerSettings, RenderSettings, deploymentResourceName, previewResourceName } from '../../domain/providers';
import { distFixture } from '../support/dist-fixture';
import { startFakeDockerEngine, type FakeDockerEngine } from '../support/fake-docker-engine';
import { startFakeRenderApi, type FakeRenderApi } from '../support/fake-render-api';

let render: FakeRenderApi;
let engine: FakeDockerEngine;
let dist: string;
beforeAll(async () => {
  [render, engine, dist] = await Promise.all([startFakeRenderApi(), startFakeDockerEngine(), distFixture('on render')]);
});
afterAll(async () => {
  await Promise.all([render?.close(), engine?.close()]);
  if (dist) await rm(dist, { recursive: true, force: true });
});

const settings = () => RenderSettings.parse({ ownerId: 'tea-owner', imageRepository: 'registry.example.test/forge/app', apiUrl: `${render.url}/v1` });
const provider = (apiKey = render.apiKey) =>
  createRenderProvider(settings(), { apiKey }, createDockerProvider(DockerSettings.parse({ host: engine.url }), {}), 5);
const request = (resource: string, projectId = randomUUID()) => ({ resource, projectId, artifactDir: dist });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('the render provider (against a fake Render API)', () => {
  it('ships releases into one service per project, waits for them to go live, and rolls back to an earlier deploy', async () => {
    const projectId = randomUUID();
    const first = await provider().deploy(request(deploymentResourceName(randomUUID()), projectId));
    const service = [...render.services.values()].find((s) => s.name === `forge-${projectId}`)!;
    expect(first).toMatchObject({ provider: 'render', url: `https://forge-${projectId}.onrender.com/`, data: { serviceId: service.id } });
    // The image was built and pushed first, and the service runs exactly that image.
    expect(engine.pushes.at(-1)!.tag).toBe(first.resource);
    expect(service.imagePath).toBe(`registry.example.test/forge/app:${first.resource}`);
    expect(render.deploys.get(first.data.deployId!)!.status).toBe('live');

    const second = await provider().deploy(request(deploymentResourceName(randomUUID()), projectId));
    expect(second.data.serviceId).toBe(service.id);
    expect(render.services.size).toBe(1);

    const restored = await provider().rollback(second, first, {});
    const rollbackDeploy = render.deploys.get(restored.data.deployId!)!;
    expect(rollbackDeploy).toMatchObject({ serviceId: service.id, imageUrl: `registry.example.test/forge/app:${first.resource}`, status: 'live' });
    // Superseding a release frees nothing: it is history inside the project's service.
    await provider().destroy(first);
    expect(render.services.has(service.id)).toBe(true);
    expect(render.requests.every((r) => r.authorization === `Bearer ${render.apiKey}`)).toBe(true);
  });

  it('gives each preview a service of its own, lists it for the reaper, and deletes it', async () => {
    const resource = previewResourceName(randomUUID());
    const ref = await provider().start(request(resource));
    expect(await provider().status(ref)).toBe('running');
    expect(await provider().logs(ref, 10)).toEqual([`==> Your service forge-${resource} is live`]);
    expect(await provider().list()).toContain(resource);
    await provider().remove(resource);
    expect(await provider().list()).not.toContain(resource);
    expect(await provider().status(ref)).toBe('missing');
  });

  it('turns Render\'s error replies into final or retryable failures', async () => {
    const refused = await failure(provider('rnd_wrong-key').list());
    expect(refused).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
    expect(refused.message).toBe('render: HTTP 401: unauthorized');

    render.fail('GET /services', { status: 429, body: { id: 'x', message: 'rate limit exceeded' }, headers: { 'ratelimit-reset': '30' } });
    const limited = await failure(provider().list());
    expect(limited).toMatchObject({ type: 'provider_unavailable', nonRetryable: false });
    expect(limited.nextRetryDelay).toBe('30 seconds');

    render.fail('POST /services', { status: 503, body: { id: 'x', message: 'service unavailable' } });
    expect(await failure(provider().start(request(previewResourceName(randomUUID()))))).toMatchObject({ type: 'provider_unavailable', nonRetryable: false });

    render.fail('POST /services', { status: 400, body: { id: 'x', message: 'plan "starter" is not available in region "mars"' } });
    const invalid = await failure(provider().start(request(previewResourceName(randomUUID()))));
    expect(invalid).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
    expect(invalid.message).toContain('not available in region');
  });

  it('fails a release whose deploy Render reports failed', async () => {
    render.outcome = 'update_failed';
    try {
      const failed = await failure(provider().deploy(request(deploymentResourceName(randomUUID()))));
      expect(failed).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
      expect(failed.message).toMatch(/ended update_failed/);
    } finally {
      render.outcome = 'live';
    }
  });
});
