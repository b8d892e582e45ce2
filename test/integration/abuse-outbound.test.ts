import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenAddress, outboundPolicy } from '../../activities/providers/outbound-guard';
import { OutboundRefused, outboundRequest } from '../../activities/providers/outbound-request';
import { providerJson } from '../../activities/providers/provider-http';
import { seedOrg, seedUser, type SeededUser } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// Only loopback ever receives traffic here: every other address is judged by its text or its DNS answer.
let app: TestApp;
let admin: SeededUser;
let orgId: string;
/** A loopback listener that counts every connection: the proof that a refusal sent nothing. */
let trap: { server: Server; port: number; connections: number; requests: string[] };

async function listen(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

beforeAll(async () => {
  // No allowlist: the production shape.
  app = await startTestApp({ OUTBOUND_ALLOW_HOSTS: '' });
  admin = await seedUser(app.deps.orm, app.deps.tokens, 'outbound');
  orgId = await seedOrg(app.deps.orm, [[admin, 'admin']]);
  const t = { connections: 0, requests: [] as string[] };
  const { server, port } = await listen((req, res) => { t.requests.push(req.url ?? ''); res.end('{}'); });
  server.on('connection', () => { t.connections++; });
  trap = Object.assign(t, { server, port });
});
afterAll(async () => {
  trap?.server.close();
  await app?.close();
});

const put = (provider: string, settings: Record<string, unknown>, secrets: Record<string, string> = {}) =>
  app.call('PUT', `/orgs/${orgId}/providers/${provider}`, { token: admin.token, body: { settings, secrets } });
const render = (apiUrl: string) => put('render', { ownerId: 'tea-x', imageRepository: 'registry.example.test/forge/app', apiUrl }, { apiKey: 'rnd_secret' });

describe('provider addresses at PUT', () => {
  it.each([
    ['loopback', () => `https://127.0.0.1:${trap.port}/v1`],
    ['IPv6 loopback', () => `https://[::1]:${trap.port}/v1`],
    ['cloud metadata', () => 'https://169.254.169.254/latest/meta-data'],
    ['private range', () => 'https://10.20.30.40/v1'],
    ['IPv4-mapped loopback', () => `https://[::ffff:127.0.0.1]:${trap.port}/v1`],
    ['a name resolving to loopback', () => `https://localhost:${trap.port}/v1`],
    ['plain http', () => 'http://api.render.com/v1'],
  ])('refuses %s with 400 and the reason, before any request', async (_what, url) => {
    const res = await render(url());
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', details: { issues: [{ path: 'body.settings.apiUrl', code: 'outbound_refused' }] } });
    expect(res.body.error.message).toMatch(/loopback, private|only https|resolves to/);
    expect(trap.connections).toBe(0);
  });

  it('refuses a docker host on loopback, a private address or the host\'s own socket', async () => {
    for (const host of [`http://127.0.0.1:${trap.port}`, 'https://10.0.0.5:2376', 'unix:///var/run/docker.sock']) {
      const res = await put('docker', { host });
      expect(res.status, host).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe('body.settings.host');
    }
    expect(trap.connections).toBe(0);
  });

  it('saves an allowlisted host (the operator\'s choice)', async () => {
    const allowing = await startTestApp({ OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
    try {
      const res = await allowing.call('PUT', `/orgs/${orgId}/providers/docker`, { token: admin.token, body: { settings: { host: `http://127.0.0.1:${trap.port}` } } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    } finally {
      await allowing.close();
    }
  });
});

describe('provider calls at connect time', () => {
  const strict = outboundPolicy('');

  it('classifies addresses without sending anything', () => {
    for (const ip of ['127.0.0.1', '::1', '169.254.169.254', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '0.0.0.0']) {
      expect(forbiddenAddress(ip), ip).toBeDefined();
    }
    for (const ip of ['93.184.216.34', '2606:4700:4700::1111']) expect(forbiddenAddress(ip), ip).toBeUndefined();
  });

  it('refuses a name that resolves to loopback when connecting (DNS rebinding), sending nothing', async () => {
    const before = trap.connections;
    await expect(outboundRequest(`https://localhost:${trap.port}/`, { policy: strict })).rejects.toBeInstanceOf(OutboundRefused);
    await expect(outboundRequest(`https://169.254.169.254/latest/meta-data`, { policy: strict })).rejects.toBeInstanceOf(OutboundRefused);
    expect(trap.connections).toBe(before);
  });

  it('a saved configuration that points at metadata fails in the worker as provider_rejected', async () => {
    const failure = await providerJson('render', 'https://169.254.169.254/v1/services').catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'provider_rejected', nonRetryable: true });
  });

  it('does not follow a provider\'s redirect', async () => {
    const redirecting = await listen((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${trap.port}/stolen` });
      res.end();
    });
    try {
      const failure = await providerJson('render', `http://127.0.0.1:${redirecting.port}/v1/services`).catch((err: unknown) => err);
      expect(failure).toMatchObject({ type: 'provider_rejected', message: expect.stringMatching(/redirects are not followed/) });
      expect(trap.requests).not.toContain('/stolen');
    } finally {
      redirecting.server.close();
    }
  });
});
