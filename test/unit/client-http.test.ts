import { describe, expect, it } from 'vitest';
import { createForgeClient, ForgeApiError } from '../../client/index';
import { retryDelayMs } from '../../client/retry-policy';
import type { TokenPair } from '../../domain/accounts';

// The SDK's REST side against a typed fake `fetch`: what it sends, and what it does with answers.
interface Sent {
  method: string;
  url: string;
  authorization?: string;
  idempotencyKey?: string;
  body?: unknown;
}

type Answer = { status: number; body?: unknown; text?: string };

function fakeApi(answer: (sent: Sent) => Answer | Promise<Answer>) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const request: Sent = { method: init?.method ?? 'GET', url: String(input), authorization: headers.authorization, idempotencyKey: headers['idempotency-key'], body: init?.body ? JSON.parse(String(init.body)) : undefined };
    sent.push(request);
    const { status, body, text } = await answer(request);
    return new Response(status === 204 ? null : (text ?? JSON.stringify(body)), { status, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetch };
}

const unauthorized = { status: 401, body: { error: { code: 'unauthorized', message: 'Access token is invalid or expired' } } };
const me = { user: { id: 'u1', email: 'a@b.c', name: 'A', createdAt: '2026-01-01T00:00:00.000Z' }, memberships: [] };

/** An API whose valid access token is `valid`, refreshing `refresh-1` into `valid`. */
function tokenApi() {
  return fakeApi(({ url, authorization, body }) => {
    if (url.endsWith('/auth/refresh')) {
      return (body as { refreshToken: string }).refreshToken === 'refresh-1'
        ? { status: 200, body: { accessToken: 'valid', refreshToken: 'refresh-2' } }
        : unauthorized;
    }
    return authorization === 'Bearer valid' ? { status: 200, body: me } : unauthorized;
  });
}

describe('the SDK over HTTP', () => {
  it('refreshes once on a 401, retries, and reports the new tokens', async () => {
    const api = tokenApi();
    const seen: TokenPair[] = [];
    const sdk = createForgeClient({ baseUrl: 'http://api.test/', accessToken: 'stale', refreshToken: 'refresh-1', fetch: api.fetch, onTokens: (t) => seen.push(t) });
    const answers = await Promise.all([sdk.me(), sdk.me(), sdk.me()]);
    expect(answers).toEqual([me, me, me]);
    expect(api.sent.filter((s) => s.url.endsWith('/auth/refresh'))).toHaveLength(1);
    expect(seen).toEqual([{ accessToken: 'valid', refreshToken: 'refresh-2' }]);
    expect(sdk.tokens).toEqual({ accessToken: 'valid', refreshToken: 'refresh-2' });
    expect(api.sent[0]!.url).toBe('http://api.test/api/v1/me');
  });

  it('gives up with the 401 when the refresh is refused or impossible', async () => {
    const refused = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'stale', refreshToken: 'spent', fetch: tokenApi().fetch });
    await expect(refused.me()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });

    const api = tokenApi();
    const noRefresh = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'stale', fetch: api.fetch });
    await expect(noRefresh.me()).rejects.toBeInstanceOf(ForgeApiError);
    expect(api.sent).toHaveLength(1);
  });

  it('retries only once: a 401 after a successful refresh is the caller\'s', async () => {
    const api = fakeApi(({ url }) => (url.endsWith('/auth/refresh') ? { status: 200, body: { accessToken: 'also-refused', refreshToken: 'r2' } } : unauthorized));
    const sdk = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', refreshToken: 'r1', fetch: api.fetch });
    await expect(sdk.me()).rejects.toMatchObject({ status: 401 });
    expect(api.sent.map((s) => s.url.replace('http://api.test/api/v1', ''))).toEqual(['/me', '/auth/refresh', '/me']);
  });

  it('turns error bodies, foreign errors and network failures into ForgeApiError', async () => {
    const conflict = { error: { code: 'version_conflict', message: 'Version 3 is not the current one', details: { current: 4 } } };
    const api = fakeApi(({ url }) =>
      url.includes('/versions') ? { status: 409, body: conflict } : { status: 502, text: '<html>Bad gateway</html>' });
    const sdk = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', fetch: api.fetch });
    await expect(sdk.versions.create('p1', { parentVersion: 3, message: 'm', files: [] }))
      .rejects.toMatchObject({ status: 409, code: 'version_conflict', message: 'Version 3 is not the current one', details: { current: 4 } });
    await expect(sdk.health()).rejects.toMatchObject({ status: 502, code: 'unavailable' });

    const offline = createForgeClient({ baseUrl: 'http://api.test', retry: { attempts: 2, baseDelayMs: 1 }, fetch: async () => { throw new TypeError('fetch failed'); } });
    await expect(offline.health()).rejects.toMatchObject({ status: 0, code: 'unavailable' });
  });

  it('encodes ids, topics, file paths and queries, and reads 204 as undefined', async () => {
    const api = fakeApi(({ method }) => (method === 'DELETE' ? { status: 204 } : { status: 200, body: { items: [] } }));
    const sdk = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', fetch: api.fetch });
    await sdk.topics.events('job:5b0c7a52-1d7c-4f8e-9a43-0c1a3f6a1b2c', { afterSeq: 7 });
    await sdk.versions.file('p1', 2, 'src/my app/App.tsx');
    await sdk.orgs.list({ limit: 10 });
    expect(await sdk.members.remove('o/1', 'u1')).toBeUndefined();
    expect(api.sent.map((s) => s.url.replace('http://api.test/api/v1', ''))).toEqual([
      '/topics/job%3A5b0c7a52-1d7c-4f8e-9a43-0c1a3f6a1b2c/events?afterSeq=7',
      '/projects/p1/versions/2/files/src/my%20app/App.tsx',
      '/orgs?limit=10',
      '/orgs/o%2F1/members/u1',
    ]);
  });

  it('signs in, keeps the tokens, and forgets them on logout after revoking the refresh token', async () => {
    const api = fakeApi(({ url }) =>
      url.endsWith('/auth/login') ? { status: 200, body: { ...me, accessToken: 'a1', refreshToken: 'r1' } } : url.endsWith('/auth/logout') ? { status: 204 } : { status: 200, body: me });
    const sdk = createForgeClient({ baseUrl: 'http://api.test', fetch: api.fetch });
    await sdk.auth.login({ email: 'a@b.c', password: 'pw' });
    await sdk.me();
    await sdk.auth.logout();
    expect(api.sent.map((s) => [s.url.replace('http://api.test/api/v1', ''), s.authorization ?? null, s.body ?? null])).toEqual([
      ['/auth/login', null, { email: 'a@b.c', password: 'pw' }],
      ['/me', 'Bearer a1', null],
      ['/auth/logout', null, { refreshToken: 'r1' }],
    ]);
    expect(sdk.tokens).toEqual({ accessToken: null, refreshToken: null });
  });

  it('sends one Idempotency-Key per creating call and retries lost connections, 503s and in-progress 409s with it', async () => {
    let calls = 0;
    const unavailable = { status: 503, body: { error: { code: 'temporal_unavailable', message: 'down' } } };
    const inProgress = { status: 409, body: { error: { code: 'idempotency_in_progress', message: 'running' } } };
    const api = fakeApi(() => {
      calls++;
      if (calls === 1) throw new TypeError('socket hang up');
      return calls === 2 ? unavailable : calls === 3 ? inProgress : { status: 201, body: { id: 'p1' } };
    });
    const sdk = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', retry: { baseDelayMs: 1 }, fetch: api.fetch });
    expect(await sdk.projects.create('o1', { name: 'App' })).toEqual({ id: 'p1' });
    const keys = api.sent.map((s) => s.idempotencyKey);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    // A new call is a new key; reads carry none.
    await sdk.projects.create('o1', { name: 'App' });
    await sdk.projects.get('p1');
    expect(api.sent[4]!.idempotencyKey).not.toBe(keys[0]);
    expect(api.sent[5]!.idempotencyKey).toBeUndefined();
  });

  it('gives up after its attempts, never retries a 4xx, and never repeats a POST that has no key', async () => {
    const down = fakeApi(() => ({ status: 503, body: { error: { code: 'database_unavailable', message: 'down' } } }));
    const sdk = createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', retry: { attempts: 3, baseDelayMs: 1 }, fetch: down.fetch });
    await expect(sdk.projects.create('o1', { name: 'App' })).rejects.toMatchObject({ status: 503, code: 'database_unavailable' });
    expect(down.sent).toHaveLength(3);

    const refused = fakeApi(() => ({ status: 422, body: { error: { code: 'idempotency_key_reused', message: 'reused' } } }));
    await expect(createForgeClient({ baseUrl: 'http://api.test', accessToken: 'a', fetch: refused.fetch }).projects.create('o1', { name: 'A' })).rejects.toMatchObject({ status: 422 });
    expect(refused.sent).toHaveLength(1);

    // Sign-in is a public POST: no user to scope a key to, so no key and no blind repeat.
    const login = fakeApi(() => { throw new TypeError('socket hang up'); });
    await expect(createForgeClient({ baseUrl: 'http://api.test', retry: { baseDelayMs: 1 }, fetch: login.fetch }).auth.login({ email: 'a@b.c', password: 'pw' })).rejects.toMatchObject({ status: 0 });
    expect(login.sent).toHaveLength(1);
    expect(login.sent[0]!.idempotencyKey).toBeUndefined();
  });

  it('waits what Retry-After says, up to its cap', () => {
    expect(retryDelayMs({}, 1, '5')).toBe(5_000);
    expect(retryDelayMs({ maxDelayMs: 2_000 }, 1, '5')).toBe(2_000);
    const backoff = [1, 2, 3].map((attempt) => retryDelayMs({ baseDelayMs: 100 }, attempt, null));
    expect(backoff[1]! / backoff[0]!).toBeGreaterThan(1.3);
    expect(backoff[2]! / backoff[1]!).toBeGreaterThan(1.3);
  });
});
