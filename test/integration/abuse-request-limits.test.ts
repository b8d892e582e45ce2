import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, postVersion } from '../support/projects';
import { connectSocket, type TestSocket } from '../support/realtime-fixture';
import { seedOrg, seedUser, type SeededUser } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let admin: SeededUser;
let orgId: string;
beforeAll(async () => {
  app = await startTestApp({ SOCKET_MAX_CONNECTIONS_PER_USER: '2', LOGIN_FAILURES_PER_ACCOUNT: '3' }, { realtime: true });
  admin = await seedUser(app.deps.orm, app.deps.tokens, 'limits');
  orgId = await seedOrg(app.deps.orm, [[admin, 'admin']]);
});
afterAll(async () => app?.close());

const MiB = 1024 * 1024;

/**
 * Declares a body of `declared` bytes but sends only its first 64 KiB, then waits for the answer:
 * an answer arriving while most of the body is still unsent shows the server judged the request
 * without reading (let alone parsing) it.
 */
function answerBeforeBody(path: string, declared: number, token?: string): Promise<{ status: number; body: any }> {
  const url = new URL(app.baseUrl + path);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(declared), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => { req.destroy(); resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }); });
    });
    req.on('error', reject);
    req.write(`{"name":"${'x'.repeat(64 * 1024)}`);
  });
}

describe('request bodies', () => {
  it('answers a 2 MiB body without a token with 413 before reading it', async () => {
    const res = await answerBeforeBody(`/orgs/${orgId}/projects`, 2 * MiB);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', details: { limit: MiB } });
  });

  it('answers a body under the limit without a token with 401 before reading it', async () => {
    const res = await answerBeforeBody(`/orgs/${orgId}/projects`, 512 * 1024);
    expect(res.status).toBe(401);
  });

  it('holds an authenticated caller to 1 MiB on ordinary routes, streamed bodies included', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * MiB) });
    const declared = await app.call('POST', `/orgs/${orgId}/projects`, { token: admin.token, body: big });
    expect(declared.status).toBe(413);
    // No Content-Length: the parser stops at the limit instead.
    const streamed = await fetch(`${app.baseUrl}/orgs/${orgId}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('takes a larger body on the version upload only', async () => {
    const projectId = await createProject(app, admin.token, orgId);
    const files = [0, 1, 2].map((i) => ({ path: `data-${i}.txt`, content: String(i).repeat(900 * 1024) }));
    const res = await postVersion(app, admin.token, projectId, null, files);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('socket connections per user', () => {
  it('refuses a user\'s connection past the cap, and admits one again when a socket closes', async () => {
    const sockets: TestSocket[] = [await connectSocket(app, admin.token), await connectSocket(app, admin.token)];
    try {
      const refused = await connectSocket(app, admin.token).then(
        (s) => { sockets.push(s); return undefined; },
        (err: { data?: unknown }) => err.data,
      );
      expect(refused).toMatchObject({ code: 'rate_limited', reason: 'too_many_connections', max: 2 });
      // Another user is not affected.
      const other = await seedUser(app.deps.orm, app.deps.tokens, 'other');
      sockets.push(await connectSocket(app, other.token));
      sockets.shift()!.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      sockets.push(await connectSocket(app, admin.token));
    } finally {
      for (const s of sockets) s.close();
    }
  });
});

describe('sign-in throttling', () => {
  const login = (email: string, password: string, ip: string) =>
    app.call('POST', '/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

  it('throttles one account guessed from many addresses, the right password included', async () => {
    const email = `victim-${Date.now()}@example.test`;
    const password = 'correct horse battery';
    expect((await app.call('POST', '/auth/signup', { body: { email, password, name: 'Victim' } })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await login(email, 'wrong-password', `198.51.100.${i}`)).status).toBe(401);
    const limited = await login(email, password, '198.51.100.200');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    // Another account from the same addresses signs in.
    const other = `other-${Date.now()}@example.test`;
    expect((await app.call('POST', '/auth/signup', { body: { email: other, password, name: 'Other' } })).status).toBe(201);
    expect((await login(other, password, '198.51.100.0')).status).toBe(200);
  });
});

describe('trust proxy', () => {
  it('ignores X-Forwarded-For when TRUST_PROXY=false: every claimed address shares the one real address\'s budget', async () => {
    const direct = await startTestApp({ TRUST_PROXY: 'false', AUTH_RATE_LIMIT: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await direct.call('POST', '/auth/login', { body: { email: 'nobody@example.test', password: 'whatever-123' }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await direct.close();
    }
  });
});
