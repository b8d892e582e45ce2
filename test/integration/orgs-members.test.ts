import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, Membership } from '../../db/entities/index';
import { seedOrg, seedRoleMatrix, seedUser } from '../support/seed';
import { statusByActor } from '../support/role-matrix';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

const adminCount = (orgId: string) => app.deps.orm.em.fork().count(Membership, { organization: orgId, role: 'admin' });

describe('GET /orgs/:orgId/members', () => {
  it('lists members with roles for any member; outsiders get 404', async () => {
    const statuses = await statusByActor(app, (m, as) => app.call('GET', `/orgs/${m.orgId}/members`, { token: as.token }));
    expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 200, outsider: 404 });

    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const res = await app.call('GET', `/orgs/${m.orgId}/members`, { token: m.viewer.token });
    expect(res.body.items).toHaveLength(3);
    expect(res.body.items).toContainEqual({ user: { id: m.editor.userId, email: m.editor.email, name: 'editor' }, role: 'editor', joinedAt: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/password/i);
  });

  it('answers 404 for an organization that does not exist and 400 for a malformed id', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    expect((await app.call('GET', `/orgs/${crypto.randomUUID()}/members`, { token: m.admin.token })).status).toBe(404);
    expect((await app.call('GET', '/orgs/not-a-uuid/members', { token: m.admin.token })).status).toBe(400);
  });
});

describe('PATCH /orgs/:orgId/members/:userId', () => {
  it('is for admins only', async () => {
    const statuses = await statusByActor(app, (m, as) =>
      app.call('PATCH', `/orgs/${m.orgId}/members/${m.viewer.userId}`, { token: as.token, body: { role: 'editor' } }));
    expect(statuses).toEqual({ admin: 200, editor: 403, viewer: 403, outsider: 404 });
  });

  it('changes the role, answers the member and writes an audit row', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const res = await app.call('PATCH', `/orgs/${m.orgId}/members/${m.viewer.userId}`, { token: m.admin.token, body: { role: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: m.viewer.userId }, role: 'admin' });
    const audit = await app.deps.orm.em.fork().findOneOrFail(AuditLog, { organizationId: m.orgId, action: 'member.role_change' });
    expect(audit).toMatchObject({ actorId: m.admin.userId, targetId: m.viewer.userId, details: { from: 'viewer', to: 'admin' } });
  });

  it('answers 404 for a user who is not a member (even one of another org) and 400 for an unknown role', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const res = await app.call('PATCH', `/orgs/${m.orgId}/members/${m.outsider.userId}`, { token: m.admin.token, body: { role: 'viewer' } });
    expect(res.status).toBe(404);
    const bad = await app.call('PATCH', `/orgs/${m.orgId}/members/${m.viewer.userId}`, { token: m.admin.token, body: { role: 'owner' } });
    expect(bad.status).toBe(400);
  });

  it('refuses to demote the last admin (409), allows it once another admin exists', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const demoteSelf = () => app.call('PATCH', `/orgs/${m.orgId}/members/${m.admin.userId}`, { token: m.admin.token, body: { role: 'editor' } });
    const refused = await demoteSelf();
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/at least one admin/);

    await app.call('PATCH', `/orgs/${m.orgId}/members/${m.editor.userId}`, { token: m.admin.token, body: { role: 'admin' } });
    expect((await demoteSelf()).status).toBe(200);
    expect(await adminCount(m.orgId)).toBe(1);
  });

  it('keeps an admin when two admins demote themselves at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([seedUser(app.deps.orm, app.deps.tokens, 'a'), seedUser(app.deps.orm, app.deps.tokens, 'b')]);
      const orgId = await seedOrg(app.deps.orm, [[a, 'admin'], [b, 'admin']]);
      const results = await Promise.all([a, b].map((u) =>
        app.call('PATCH', `/orgs/${orgId}/members/${u.userId}`, { token: u.token, body: { role: 'viewer' } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await adminCount(orgId)).toBe(1);
    }
  });
});

describe('DELETE /orgs/:orgId/members/:userId', () => {
  it('lets admins remove others', async () => {
    const statuses = await statusByActor(app, (m, as) => app.call('DELETE', `/orgs/${m.orgId}/members/${m.editor.userId}`, { token: as.token }));
    // The editor's own call is leaving, which any member may do.
    expect(statuses).toEqual({ admin: 204, editor: 204, viewer: 403, outsider: 404 });
  });

  it('lets any member leave, after which the organization is gone for them (404)', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    expect((await app.call('DELETE', `/orgs/${m.orgId}/members/${m.viewer.userId}`, { token: m.viewer.token })).status).toBe(204);
    expect((await app.call('GET', `/orgs/${m.orgId}/members`, { token: m.viewer.token })).status).toBe(404);
    const audit = await app.deps.orm.em.fork().findOneOrFail(AuditLog, { organizationId: m.orgId, action: 'member.remove' });
    expect(audit).toMatchObject({ actorId: m.viewer.userId, targetId: m.viewer.userId });
  });

  it('refuses to remove the last admin, by themselves or anyone (409)', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    const res = await app.call('DELETE', `/orgs/${m.orgId}/members/${m.admin.userId}`, { token: m.admin.token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(await adminCount(m.orgId)).toBe(1);
  });

  it('keeps an admin when the two admins leave at the same moment', async () => {
    const [a, b] = await Promise.all([seedUser(app.deps.orm, app.deps.tokens, 'a'), seedUser(app.deps.orm, app.deps.tokens, 'b')]);
    const orgId = await seedOrg(app.deps.orm, [[a, 'admin'], [b, 'admin']]);
    const results = await Promise.all([a, b].map((u) => app.call('DELETE', `/orgs/${orgId}/members/${u.userId}`, { token: u.token })));
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    expect(await adminCount(orgId)).toBe(1);
  });

  it('answers 404 for a non-member target', async () => {
    const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    expect((await app.call('DELETE', `/orgs/${m.orgId}/members/${m.outsider.userId}`, { token: m.admin.token })).status).toBe(404);
  });
});
