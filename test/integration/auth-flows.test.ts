import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, RefreshToken, User } from '../../db/entities/index';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

const password = 'correct horse battery';
const newEmail = () => `auth-${randomUUID()}@example.test`;

async function signup(email = newEmail(), extra: Record<string, unknown> = {}) {
  const res = await app.call('POST', '/auth/signup', { body: { email, password, name: 'Ada', ...extra } });
  expect(res.status).toBe(201);
  return res.body as { user: { id: string; email: string }; organization: { id: string; name: string }; accessToken: string; refreshToken: string };
}

const refresh = (refreshToken: string) => app.call('POST', '/auth/refresh', { body: { refreshToken } });

describe('signup', () => {
  it('creates the user and a personal organization they administer, and signs them in', async () => {
    const email = newEmail();
    const res = await app.call('POST', '/auth/signup', { body: { email: email.toUpperCase(), password, name: 'Ada', organizationName: 'Analytical' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({ id: expect.any(String), email, name: 'Ada', createdAt: expect.any(String) });
    expect(res.body.organization).toMatchObject({ name: 'Analytical' });
    expect(JSON.stringify(res.body)).not.toMatch(/password/i);

    const me = await app.call('GET', '/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: res.body.user,
      memberships: [{ organization: { id: res.body.organization.id, name: 'Analytical' }, role: 'admin' }],
    });
  });

  it('names the personal organization after the user when no name is given', async () => {
    const body = await signup();
    expect(body.organization.name).toBe("Ada's organization");
  });

  it('stores an argon2id hash, never the password', async () => {
    const body = await signup();
    const user = await app.deps.orm.em.fork().findOneOrFail(User, body.user.id);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(password);
  });

  it('refuses an email that is already registered, whatever its case (409)', async () => {
    const email = newEmail();
    await signup(email);
    const res = await app.call('POST', '/auth/signup', { body: { email: email.toUpperCase(), password, name: 'Eve' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('rejects a short password, a bad email and a missing name (400)', async () => {
    for (const body of [
      { email: newEmail(), password: 'short', name: 'A' },
      { email: 'not-an-email', password, name: 'A' },
      { email: newEmail(), password },
      { email: newEmail(), password: 'x'.repeat(257), name: 'A' },
    ]) {
      const res = await app.call('POST', '/auth/signup', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });
});

describe('login', () => {
  it('signs in with the right password, case-insensitive email', async () => {
    const { user } = await signup();
    const res = await app.call('POST', '/auth/login', { body: { email: user.email.toUpperCase(), password } });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash/);
    expect((await app.call('GET', '/me', { token: res.body.accessToken })).status).toBe(200);
  });

  it('answers a wrong password and an unknown email identically (401)', async () => {
    const { user } = await signup();
    const wrong = await app.call('POST', '/auth/login', { body: { email: user.email, password: 'wrong password!' } });
    const unknown = await app.call('POST', '/auth/login', { body: { email: newEmail(), password } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });
});

describe('access tokens', () => {
  it('refuses a missing, forged or malformed token on /me (401)', async () => {
    const { accessToken } = await signup();
    const [header, payload] = accessToken.split('.');
    for (const token of [undefined, 'garbage', `${header}.${payload}.forgedsignature`]) {
      const res = await app.call('GET', '/me', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });
});

describe('refresh tokens', () => {
  it('rotates: the new pair works and the old refresh token is spent', async () => {
    const first = await signup();
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await app.call('GET', '/me', { token: second.body.accessToken })).body.user.id).toBe(first.user.id);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('stores only hashes of refresh tokens', async () => {
    const { user, refreshToken } = await signup();
    const rows = await app.deps.orm.em.fork().find(RefreshToken, { user: user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toBe(refreshToken);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('on reuse of a spent token revokes the whole family, including the newest token', async () => {
    const { user, refreshToken: stolen } = await signup();
    const legit = await refresh(stolen);
    expect(legit.status).toBe(200);

    const replay = await refresh(stolen);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('unauthorized');
    // The legitimate client's current token died with the family: both parties must sign in again.
    expect((await refresh(legit.body.refreshToken)).status).toBe(401);

    const reuse = await app.deps.orm.em.fork().find(AuditLog, { actorId: user.id, action: 'auth.refresh_reuse' });
    expect(reuse).toHaveLength(1);
  });

  it('reuse revokes only that family: another sign-in of the same user keeps working', async () => {
    const { user, refreshToken: web } = await signup();
    const phone = await app.call('POST', '/auth/login', { body: { email: user.email, password } });
    await refresh(web);
    expect((await refresh(web)).status).toBe(401);
    expect((await refresh(phone.body.refreshToken)).status).toBe(200);
  });

  it('lets exactly one of two concurrent refreshes with the same token win, then revokes the family', async () => {
    const { refreshToken } = await signup();
    const results = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await refresh(winner.body.refreshToken)).status).toBe(401);
  });

  it('refuses an unknown token and an expired one (401)', async () => {
    expect((await refresh('not-a-token')).status).toBe(401);
    const { user, refreshToken } = await signup();
    const em = app.deps.orm.em.fork();
    await em.nativeUpdate(RefreshToken, { user: user.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await refresh(refreshToken)).status).toBe(401);
  });
});

describe('logout', () => {
  it('revokes the family (204) and is idempotent', async () => {
    const { refreshToken } = await signup();
    const rotated = await refresh(refreshToken);
    const out = await app.call('POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } });
    expect(out.status).toBe(204);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await app.call('POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(204);
    expect((await app.call('POST', '/auth/logout', { body: { refreshToken: 'unknown' } })).status).toBe(204);
  });
});

describe('audit of auth calls', () => {
  it('records signup, login, refresh and logout with actor and ip, and no secrets', async () => {
    const { user, organization, refreshToken } = await signup();
    const login = await app.call('POST', '/auth/login', { body: { email: user.email, password } });
    const rotated = await refresh(refreshToken);
    await app.call('POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } });

    const rows = await app.deps.orm.em.fork().find(AuditLog, { actorId: user.id }, { orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.action).sort()).toEqual(['auth.login', 'auth.logout', 'auth.refresh', 'auth.signup', 'org.create'].sort());
    expect(rows.find((r) => r.action === 'auth.signup')).toMatchObject({ organizationId: organization.id, targetId: user.id });
    for (const row of rows) expect(row.ip).toMatch(/127\.0\.0\.1/);
    const dump = JSON.stringify(rows);
    for (const secret of [password, refreshToken, rotated.body.refreshToken, login.body.refreshToken]) expect(dump).not.toContain(secret);
  });
});
