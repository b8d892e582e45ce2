import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, Invite } from '../../db/entities/index';
import { seedOrg, seedRoleMatrix, seedUser } from '../support/seed';
import { statusByActor } from '../support/role-matrix';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

async function invite(orgId: string, adminToken: string, email: string, role = 'editor') {
  const res = await app.call('POST', `/orgs/${orgId}/invites`, { token: adminToken, body: { email, role } });
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string; email: string; role: string; expiresAt: string };
}

const accept = (token: string, userToken: string) => app.call('POST', `/invites/${token}/accept`, { token: userToken });

describe('POST /orgs/:orgId/invites', () => {
  it('is for admins only', async () => {
    const statuses = await statusByActor(app, (m, as) =>
      app.call('POST', `/orgs/${m.orgId}/invites`, { token: as.token, body: { email: `new-${randomUUID()}@example.test`, role: 'viewer' } }));
    expect(statuses).toEqual({ admin: 201, editor: 403, viewer: 403, outsider: 404 });
  });

  it('answers the invite with a one-time token, stores only its hash, and audits without the token', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const email = `New-${randomUUID()}@Example.test`;
    const body = await invite(m.orgId, m.admin.token, email, 'viewer');
    expect(body).toMatchObject({ organizationId: m.orgId, email: email.toLowerCase(), role: 'viewer' });
    const ttlMs = new Date(body.expiresAt).getTime() - Date.now();
    expect(ttlMs).toBeGreaterThan(app.deps.config.INVITE_TTL_SECONDS * 1000 - 60_000);

    const em = app.deps.orm.em.fork();
    const row = await em.findOneOrFail(Invite, body.id);
    expect(row.tokenHash).not.toBe(body.token);
    const audit = await em.findOneOrFail(AuditLog, { organizationId: m.orgId, action: 'invite.create' });
    expect(audit).toMatchObject({ actorId: m.admin.userId, targetId: body.id });
    expect(JSON.stringify(audit)).not.toContain(body.token);
  });

  it('refuses to invite someone who is already a member (409)', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const res = await app.call('POST', `/orgs/${m.orgId}/invites`, { token: m.admin.token, body: { email: m.viewer.email, role: 'admin' } });
    expect(res.status).toBe(409);
  });
});

describe('POST /invites/:token/accept', () => {
  it('makes a signed-up user with the invited email a member with the invited role, once', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const email = `joiner-${randomUUID()}@example.test`;
    const { token } = await invite(m.orgId, m.admin.token, email.toUpperCase(), 'editor');
    const signup = await app.call('POST', '/auth/signup', { body: { email, password: 'joiner password', name: 'Joiner' } });

    const joined = await accept(token, signup.body.accessToken);
    expect(joined.status).toBe(201);
    expect(joined.body).toEqual({ organization: { id: m.orgId, name: 'Seeded org' }, role: 'editor' });
    const me = await app.call('GET', '/me', { token: signup.body.accessToken });
    expect(me.body.memberships).toContainEqual({ organization: { id: m.orgId, name: 'Seeded org' }, role: 'editor' });
    expect((await app.call('GET', `/orgs/${m.orgId}/members`, { token: signup.body.accessToken })).status).toBe(200);
    const audit = await app.deps.orm.em.fork().findOneOrFail(AuditLog, { organizationId: m.orgId, action: 'invite.accept' });
    expect(audit.actorId).toBe(signup.body.user.id);

    // Single use.
    const again = await accept(token, signup.body.accessToken);
    expect(again.status).toBe(404);
  });

  it('answers 403 to a user whose email is not the invited one, and leaves the invite usable', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const invited = await seedUser(app.deps.orm, app.deps.tokens, 'invited');
    const { token } = await invite(m.orgId, m.admin.token, invited.email);
    const wrong = await accept(token, m.outsider.token);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    expect((await accept(token, invited.token)).status).toBe(201);
  });

  it('answers 409 for an expired invite', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const invited = await seedUser(app.deps.orm, app.deps.tokens, 'late');
    const { id, token } = await invite(m.orgId, m.admin.token, invited.email);
    await app.deps.orm.em.fork().nativeUpdate(Invite, id, { expiresAt: new Date(Date.now() - 1000) });
    const res = await accept(token, invited.token);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/expired/i);
  });

  it('answers 409 when the invited user already joined another way', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const invited = await seedUser(app.deps.orm, app.deps.tokens, 'twice');
    const { token } = await invite(m.orgId, m.admin.token, invited.email);
    const second = await invite(m.orgId, m.admin.token, invited.email, 'viewer');
    expect((await accept(second.token, invited.token)).status).toBe(201);
    expect((await accept(token, invited.token)).status).toBe(409);
  });

  it('answers 404 for an unknown token and 401 without a signed-in user', async () => {
    const user = await seedUser(app.deps.orm, app.deps.tokens);
    expect((await accept('no-such-token', user.token)).status).toBe(404);
    expect((await app.call('POST', '/invites/no-such-token/accept')).status).toBe(401);
  });

  it('lets only one of two concurrent accepts of the same invite succeed', async () => {
    const admin = await seedUser(app.deps.orm, app.deps.tokens, 'admin');
    const orgId = await seedOrg(app.deps.orm, [[admin, 'admin']]);
    const invited = await seedUser(app.deps.orm, app.deps.tokens, 'racer');
    const { token } = await invite(orgId, admin.token, invited.email);
    const results = await Promise.all([accept(token, invited.token), accept(token, invited.token)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 404]);
  });

  it('lets only one of two different invites for the same person be accepted at once', async () => {
    const admin = await seedUser(app.deps.orm, app.deps.tokens, 'admin');
    const orgId = await seedOrg(app.deps.orm, [[admin, 'admin']]);
    const invited = await seedUser(app.deps.orm, app.deps.tokens, 'double');
    const tokens = [(await invite(orgId, admin.token, invited.email)).token, (await invite(orgId, admin.token, invited.email, 'viewer')).token];
    const results = await Promise.all(tokens.map((t) => accept(t, invited.token)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });
});
