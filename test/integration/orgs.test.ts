import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditLog } from '../../db/entities/index';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

it('creates an organization whose creator is admin, and lists only my organizations with my role', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const created = await app.call('POST', '/orgs', { token: m.viewer.token, body: { name: '  Side project ' } });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({ id: expect.any(String), name: 'Side project', createdAt: expect.any(String), role: 'admin' });

  const mine = await app.call('GET', '/orgs', { token: m.viewer.token });
  expect(mine.status).toBe(200);
  expect(mine.body.items.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual([[m.orgId, 'viewer'], [created.body.id, 'admin']]);
  expect(mine.body.nextCursor).toBeUndefined();
  // The outsider's organization is not listed.
  expect(mine.body.items.map((o: { id: string }) => o.id)).not.toContain(m.otherOrgId);

  const audit = await app.deps.orm.em.fork().findOneOrFail(AuditLog, { organizationId: created.body.id, action: 'org.create' });
  expect(audit).toMatchObject({ actorId: m.viewer.userId, targetId: created.body.id });
  // The creator can administer it.
  expect((await app.call('GET', `/orgs/${created.body.id}/audit`, { token: m.viewer.token })).status).toBe(200);
});

it('requires a name and a signed-in user', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  expect((await app.call('POST', '/orgs', { token: m.admin.token, body: { name: '   ' } })).status).toBe(400);
  expect((await app.call('POST', '/orgs', { body: { name: 'x' } })).status).toBe(401);
  expect((await app.call('GET', '/orgs')).status).toBe(401);
});
