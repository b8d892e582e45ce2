import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerProvider } from '../../activities/providers/docker-provider';
import { createRailwayProvider } from '../../activities/providers/railway-provider';
import { DockerSettings, RailwaySettings, deploymentResourceName, previewResourceName } from '../../domain/providers';
import { distFixture } from '../support/dist-fixture';
import { startFakeDockerEngine, type FakeDockerEngine } from '../support/fake-docker-engine';
import { startFakeRailwayApi, type FakeRailwayApi } from '../support/fake-railway-api';

let railway: FakeRailwayApi;
let engine: FakeDockerEngine;
let dist: string;
beforeAll(async () => {
  [railway, engine, dist] = await Promise.all([startFakeRailwayApi(), startFakeDockerEngine(), distFixture('on railway')]);
});
afterAll(async () => {
  await Promise.all([railway?.close(), engine?.close()]);
  if (dist) await rm(dist, { recursive: true, force: true });
});

const provider = (apiToken = railway.token) =>
  createRailwayProvider(
    RailwaySettings.parse({ projectId: railway.projectId, environmentId: railway.environmentId, imageRepository: 'registry.example.test/forge/app', apiUrl: `${railway.url}/graphql/v2` }),
    { apiToken },
    createDockerProvider(DockerSettings.parse({ host: engine.url }), {}),
    5,
  );
const request = (resource: string, projectId = randomUUID()) => ({ resource, projectId, artifactDir: dist });

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('the railway provider (against a fake Railway GraphQL API)', () => {
  it('creates the project\'s service once, deploys each release into it, and rolls back to an earlier deployment', async () => {
    const projectId = randomUUID();
    const first = await provider().deploy(request(deploymentResourceName(randomUUID()), projectId));
    expect(first).toMatchObject({ provider: 'railway', url: `https://forge-${projectId}-production.up.railway.app/` });
    expect(railway.deployments.get(first.data.deploymentId!)).toMatchObject({ status: 'SUCCESS', image: `registry.example.test/forge/app:${first.resource}` });

    const second = await provider().deploy(request(deploymentResourceName(randomUUID()), projectId));
    expect(second.data.serviceId).toBe(first.data.serviceId);
    expect([...railway.services.values()].filter((s) => s.name === `forge-${projectId}`)).toHaveLength(1);
    expect(railway.operations).toContain('serviceInstanceUpdate');

    expect(await provider().rollback(second, first, {})).toEqual(first);
    expect(railway.deployments.get(first.data.deploymentId!)!.status).toBe('SUCCESS');
  });

  it('gives each preview a service of its own, lists it for the reaper, and deletes it', async () => {
    const resource = previewResourceName(randomUUID());
    const ref = await provider().start(request(resource));
    expect(await provider().status(ref)).toBe('running');
    expect(await provider().logs(ref, 5)).toEqual([`Starting Container (${ref.data.deploymentId})`]);
    expect(await provider().list()).toContain(resource);
    await provider().stop(ref);
    expect(await provider().list()).not.toContain(resource);
  });

  it('treats GraphQL errors as final and rate limits as retryable', async () => {
    const refused = await failure(provider('rw_wrong').list());
    expect(refused).toMatchObject({ type: 'provider_rejected', nonRetryable: true, message: 'railway: Not Authorized' });

    railway.fail('project', { status: 429, body: { errors: [{ message: 'Rate limit exceeded' }] }, headers: { 'retry-after': '12' } });
    const limited = await failure(provider().list());
    expect(limited).toMatchObject({ type: 'provider_unavailable', nonRetryable: false, nextRetryDelay: '12 seconds' });

    railway.outcome = 'CRASHED';
    try {
      const crashed = await failure(provider().deploy(request(deploymentResourceName(randomUUID()))));
      expect(crashed).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
      expect(crashed.message).toMatch(/ended CRASHED/);
    } finally {
      railway.outcome = 'SUCCESS';
    }
  });
});
