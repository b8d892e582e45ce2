import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../api/app';
import type { AppDeps } from '../../api/deps';
import { defineRoute } from '../../api/http/route';
import { allRoutes } from '../../api/routes/index';
import { seedUser } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

/** Routes that exist only in this suite, to drive validation and failures through the real stack. */
const probeRoutes = [
  defineRoute({
    method: 'post',
    path: '/test-probes/:count',
    summary: 'Echoes validated input',
    tag: 'test',
    auth: false,
    params: z.object({ count: z.coerce.number().int().min(1) }),
    body: z.object({ name: z.string().min(1), tags: z.array(z.string()).max(2).default([]) }),
    handler: async ({ params, body }) => ({ params, body }),
  }),
  defineRoute({
    method: 'get',
    path: '/test-probes/crash',
    summary: 'Fails like a bug',
    tag: 'test',
    auth: false,
    handler: async () => {
      throw new Error('password=hunter2 at /srv/forge/db.ts:42');
    },
  }),
  defineRoute({
    method: 'get',
    path: '/test-probes/upstream-404',
    summary: 'Fails like an upstream API answering 404',
    tag: 'test',
    auth: false,
    handler: async () => {
      throw Object.assign(new Error('GitHub: Not Found'), { status: 404 });
    },
  }),
];

async function serve(deps: AppDeps) {
  const server: Server = createServer(createApp(deps, [...allRoutes(deps), ...probeRoutes]));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(base + path, { method, body: init.body, headers: init.body ? { 'content-type': 'application/json', ...init.headers } : init.headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { request, close };
}

let testApp: TestApp;
let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  testApp = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
  api = await serve(testApp.deps);
});
afterAll(async () => {
  await api?.close();
  await testApp?.close();
});

const errorBody = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });

describe('error format', () => {
  it('answers unknown routes, inside and outside /api/v1, with a 404 in the error format', async () => {
    for (const path of ['/api/v1/no-such-thing', '/', '/api/v2/health']) {
      const res = await api.request('GET', path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorBody('not_found'));
    }
  });

  it('answers malformed JSON with a 400', async () => {
    const res = await api.request('POST', '/api/v1/test-probes/1', { body: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_input', message: 'Request body is not valid JSON' } });
  });

  it('answers a body over the configured limit with a 413', async () => {
    const res = await api.request('POST', '/api/v1/test-probes/1', { body: JSON.stringify({ name: 'x'.repeat(5_000) }) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(errorBody('payload_too_large'));
  });

  it('validates params and body with zod and answers 400 with the issues as details', async () => {
    const res = await api.request('POST', '/api/v1/test-probes/0', { body: JSON.stringify({ name: 'ok' }) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.issues).toEqual([expect.objectContaining({ path: 'params.count', code: 'too_small' })]);

    const wrongBody = await api.request('POST', '/api/v1/test-probes/2', { body: JSON.stringify({ name: 42, tags: ['a', 'b', 'c'] }) });
    expect(wrongBody.status).toBe(400);
    expect(wrongBody.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.name', 'body.tags']);

    const noBody = await api.request('POST', '/api/v1/test-probes/2');
    expect(noBody.status).toBe(400);
    expect(noBody.body.error.code).toBe('invalid_input');
  });

  it('passes parsed input (coerced, defaulted) to the handler', async () => {
    const res = await api.request('POST', '/api/v1/test-probes/3', { body: JSON.stringify({ name: 'ok' }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ params: { count: 3 }, body: { name: 'ok', tags: [] } });
  });

  it('answers an undecodable path parameter with a 400, not a 500', async () => {
    const res = await api.request('POST', '/api/v1/test-probes/%E0%A4%A', { body: JSON.stringify({ name: 'ok' }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('invalid_input'));
  });

  it('answers a bug with a 500 that leaks nothing, even when the error carries a status', async () => {
    for (const path of ['/api/v1/test-probes/crash', '/api/v1/test-probes/upstream-404']) {
      const res = await api.request('GET', path);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
      expect(res.text).not.toMatch(/hunter2|srv|GitHub|stack/);
    }
  });
});

describe('request ids and security headers', () => {
  it('echoes a caller-supplied x-request-id and mints one otherwise', async () => {
    const given = await api.request('GET', '/api/v1/no-such-thing', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');

    const minted = await api.request('GET', '/api/v1/health');
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // A header that is not a plain token never reaches logs or responses.
    const rejected = await api.request('GET', '/api/v1/health', { headers: { 'x-request-id': 'a'.repeat(300) } });
    expect(rejected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets helmet headers and hides the framework', async () => {
    const res = await api.request('GET', '/api/v1/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('request log', () => {
  it('writes one line per request: id, method, masked path, route, user, status and time, never a header', async () => {
    const lines: Array<Record<string, any>> = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(JSON.parse(String(chunk))), done()) });
    const logged = await serve({ ...testApp.deps, logger: pino({ level: 'info' }, sink) });
    try {
      const user = await seedUser(testApp.deps.orm, testApp.deps.tokens, 'logged');
      await logged.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${user.token}`, 'x-request-id': 'log-me' } });
      await logged.request('POST', '/api/v1/invites/secret-invite-token/accept', { headers: { authorization: `Bearer ${user.token}`, 'x-request-id': 'log-invite' } });
      await logged.request('GET', '/api/v1/test-probes/crash', { headers: { 'x-request-id': 'log-crash' } });
      await expect.poll(() => lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored').length).toBe(3);
      const line = (id: string) => lines.find((l) => l.req?.id === id && l.res)!;
      expect(line('log-me')).toMatchObject({ level: 30, msg: 'request completed', req: { id: 'log-me', method: 'GET', url: '/api/v1/me' }, route: '/api/v1/me', userId: user.userId, res: { status: 200 }, responseTime: expect.any(Number) });
      expect(line('log-invite')).toMatchObject({ req: { url: '/api/v1/invites/[redacted]/accept' }, route: '/api/v1/invites/:token/accept', userId: user.userId });
      expect(line('log-crash')).toMatchObject({ msg: 'request errored', route: '/api/v1/test-probes/crash', res: { status: 500 }, err: expect.anything() });
      expect(line('log-crash')).not.toHaveProperty('userId');
      const all = JSON.stringify(lines);
      expect(all).not.toContain(user.token);
      expect(all).not.toContain('secret-invite-token');
      expect(all).not.toMatch(/authorization/i);
    } finally {
      await logged.close();
    }
  });
});

describe('health', () => {
  it('answers 200 when Postgres and Temporal both answer', async () => {
    const res = await api.request('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok', temporal: 'ok' });
  });

  it('answers 503 naming Temporal, within the probe timeout, when Temporal is unreachable', async () => {
    // Port 1 on loopback refuses connections; a lazy connection lets the app start anyway, as api/main.ts does.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const unreachable = await serve({ ...testApp.deps, temporal: new Client({ connection }) });
    try {
      const started = Date.now();
      const res = await unreachable.request('GET', '/api/v1/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'degraded', db: 'ok', temporal: 'down' });
      expect(Date.now() - started).toBeLessThan(3_500);
    } finally {
      await unreachable.close();
      await connection.close();
    }
  });
});

describe('openapi.json', () => {
  it('is generated from the mounted routes: health, itself, {params}, error schema and security', async () => {
    const res = await api.request('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toEqual({ title: 'Forge API', version: expect.any(String) });

    const health = doc.paths['/api/v1/health'].get;
    expect(health.security).toEqual([]);
    expect(health.responses['200'].content['application/json'].schema.properties).toHaveProperty('temporal');
    expect(doc.paths['/api/v1/openapi.json'].get).toBeDefined();

    const probe = doc.paths['/api/v1/test-probes/{count}'].post;
    expect(probe.parameters).toEqual([expect.objectContaining({ name: 'count', in: 'path', required: true })]);
    expect(probe.requestBody.content['application/json'].schema.required).toEqual(['name']);

    expect(doc.components.schemas.Error.required).toEqual(['error']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(doc.paths)) {
      expect(path).not.toMatch(/[:*]/);
      for (const operation of Object.values(operations)) {
        expect(operation.responses.default).toEqual({ description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
      }
    }
  });
});
