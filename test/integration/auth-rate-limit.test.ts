import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedUser } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// Its own app: the limiter's counters live in the app instance, so no other suite can spend this budget.
let app: TestApp;
beforeAll(async () => { app = await startTestApp({ AUTH_RATE_LIMIT: '3' }); });
afterAll(async () => app?.close());

const login = (ip: string) =>
  app.call('POST', '/auth/login', { body: { email: 'nobody@example.test', password: 'whatever-123' }, headers: { 'x-forwarded-for': ip } });

it('answers 429 with Retry-After once an IP spends its per-minute budget on auth routes', async () => {
  for (let i = 0; i < 3; i++) expect((await login('203.0.113.7')).status).toBe(401);
  const limited = await login('203.0.113.7');
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('rate_limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);

  // The budget is shared by every auth route, and counted per client address.
  const refresh = await app.call('POST', '/auth/refresh', { body: { refreshToken: 'x' }, headers: { 'x-forwarded-for': '203.0.113.7' } });
  expect(refresh.status).toBe(429);
  expect((await login('203.0.113.8')).status).toBe(401);
});

it('does not limit routes outside /auth', async () => {
  const user = await seedUser(app.deps.orm, app.deps.tokens);
  for (let i = 0; i < 5; i++) {
    const me = await app.call('GET', '/me', { token: user.token, headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(me.status).toBe(200);
  }
});
