import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAppHealth } from '../../activities/builds/health-check';
import { createDockerProvider } from '../../activities/providers/docker-provider';
import { DockerSettings, deploymentResourceName, previewResourceName } from '../../domain/providers';
import { distFixture } from '../support/dist-fixture';
import { startFakeDockerEngine, type FakeDockerEngine } from '../support/fake-docker-engine';

let engine: FakeDockerEngine;
let dist: string;
beforeAll(async () => {
  engine = await startFakeDockerEngine();
  dist = await distFixture('served by docker');
});
afterAll(async () => {
  await engine?.close();
  if (dist) await rm(dist, { recursive: true, force: true });
});

const docker = (registryAuth?: string) => createDockerProvider(DockerSettings.parse({ host: engine.url, memoryMb: 128, cpus: 0.5 }), registryAuth ? { registryAuth } : {});
const request = (resource: string) => ({ resource, projectId: randomUUID(), artifactDir: dist });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('the docker provider (against a fake Engine API)', () => {
  it('builds an image from the generated Dockerfile and runs it in a limited container that serves the app', async () => {
    const resource = previewResourceName(randomUUID());
    const ref = await docker().start(request(resource));

    const image = engine.images.get(`forge-app:${resource}`)!;
    expect([...image.files.keys()].sort()).toEqual(['Dockerfile', 'dist/assets/app.js', 'dist/index.html', 'nginx.conf']);
    expect(image.files.get('Dockerfile')!.toString()).toContain('COPY dist/ /usr/share/nginx/html/');
    const container = [...engine.containers.values()].find((c) => c.labels['forge.resource'] === resource)!;
    expect(container.hostConfig).toMatchObject({ Memory: 128 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 256, CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'] });
    expect(ref).toMatchObject({ provider: 'docker', resource, url: `http://127.0.0.1:${container.port}/` });
    expect(await checkAppHealth(ref.url, { rootElementId: 'root' })).toEqual({ ok: true, problems: [] });

    // Repeating a start (an activity retry) finds the running container.
    expect(await docker().start(request(resource))).toEqual(ref);
    expect([...engine.containers.values()].filter((c) => c.labels['forge.resource'] === resource)).toHaveLength(1);
    expect(await docker().status(ref)).toBe('running');
    expect(await docker().logs(ref, 10)).toEqual(['nginx: start worker processes', 'GET / 200']);
    expect(await docker().list()).toContain(resource);

    await docker().stop(ref);
    expect(await docker().status(ref)).toBe('missing');
    expect(engine.images.has(`forge-app:${resource}`)).toBe(false);
    await expect(fetch(ref.url)).rejects.toThrow();
    // Stopping what is gone is fine.
    await docker().stop(ref);
  });

  it('rolls back by removing the failed release and running the previous one', async () => {
    const before = await docker().deploy(request(deploymentResourceName(randomUUID())));
    const failed = await docker().deploy(request(deploymentResourceName(randomUUID())));
    const restored = await docker().rollback(failed, before, {});
    expect(restored.resource).toBe(before.resource);
    expect(await docker().status(failed)).toBe('missing');
    expect(await docker().status(before)).toBe('running');
    await docker().destroy(before);
  });

  it('pushes a built image with the registry credentials, for render and railway', async () => {
    const image = `registry.example.test/forge/app:${previewResourceName(randomUUID())}`;
    expect(await docker('c2VjcmV0LWF1dGg=').publish(dist, image)).toBe(image);
    expect(engine.pushes.at(-1)).toEqual({ name: 'registry.example.test/forge/app', tag: image.split(':').at(-1), registryAuth: 'c2VjcmV0LWF1dGg=' });
  });

  it('classifies the Engine\'s error replies: 5xx and unreachable are retried, 4xx and build errors are final', async () => {
    engine.fail('POST /containers/create', { status: 500, body: { message: 'containerd is restarting' } });
    const outage = await failure(docker().start(request(previewResourceName(randomUUID()))));
    expect(outage).toMatchObject({ type: 'provider_unavailable', nonRetryable: false });
    expect(outage.message).toContain('containerd is restarting');

    engine.fail('POST /containers/create', { status: 400, body: { message: 'invalid reference format' } });
    expect(await failure(docker().start(request(previewResourceName(randomUUID()))))).toMatchObject({ type: 'provider_rejected', nonRetryable: true });

    engine.fail('POST /build', { status: 200, body: { error: 'COPY failed: no source files were specified' } });
    const buildError = await failure(docker().start(request(previewResourceName(randomUUID()))));
    expect(buildError).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
    expect(buildError.message).toContain('COPY failed');

    const nowhere = createDockerProvider(DockerSettings.parse({ host: 'http://127.0.0.1:1' }), {});
    expect(await failure(nowhere.list())).toMatchObject({ type: 'provider_unavailable', nonRetryable: false });
  });
});

// No Docker engine runs on the build machines of this project; where one does, this proves the
// same calls against the real Engine API.
const liveEngine = existsSync('/var/run/docker.sock');
describe.skipIf(!liveEngine)('the docker provider against a live engine (skipped: no Docker engine at /var/run/docker.sock on this machine)', () => {
  it('serves a preview from a real container', { timeout: 300_000 }, async () => {
    const provider = createDockerProvider(DockerSettings.parse({}), {});
    const ref = await provider.start(request(previewResourceName(randomUUID())));
    try {
      expect(await checkAppHealth(ref.url, { rootElementId: 'root', readyWithinMs: 30_000 })).toEqual({ ok: true, problems: [] });
    } finally {
      await provider.stop(ref);
    }
  });
});
