import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordAudit } from '../../db/repositories/audit';
import { seedRoleMatrix } from '../support/seed';
import { statusByActor } from '../support/role-matrix';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

const auditOf = (orgId: string, token: string, query = '') => app.call('GET', `/orgs/${orgId}/audit${query}`, { token });

it('is for admins only', async () => {
  const statuses = await statusByActor(app, (m, as) => auditOf(m.orgId, as.token));
  expect(statuses).toEqual({ admin: 200, editor: 403, viewer: 403, outsider: 404 });
});

it('shows the rows of mutating calls with actor, action, target, ip and time, newest first', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  await app.call('PATCH', `/orgs/${m.orgId}/members/${m.viewer.userId}`, { token: m.admin.token, body: { role: 'editor' } });
  await app.call('DELETE', `/orgs/${m.orgId}/members/${m.editor.userId}`, { token: m.editor.token });
  // A refused call changes nothing and is not audited.
  await app.call('PATCH', `/orgs/${m.orgId}/members/${m.admin.userId}`, { token: m.admin.token, body: { role: 'viewer' } });

  const res = await auditOf(m.orgId, m.admin.token);
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeUndefined();
  expect(res.body.items).toEqual([
    { id: expect.any(String), actorId: m.editor.userId, organizationId: m.orgId, action: 'member.remove', targetType: 'user', targetId: m.editor.userId, ip: expect.stringMatching(/127\.0\.0\.1/), details: { role: 'editor' }, at: expect.any(String) },
    expect.objectContaining({ actorId: m.admin.userId, action: 'member.role_change', targetId: m.viewer.userId }),
  ]);
});

it('pages with a cursor without gaps or repeats, and only shows its own organization', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const em = app.deps.orm.em.fork();
  // Rows that share a timestamp are where a naive cursor skips or repeats: the id breaks ties.
  const at = new Date();
  for (let i = 0; i < 7; i++) {
    recordAudit(em, { actorId: m.admin.userId, organizationId: m.orgId, action: `test.${i}`, targetType: 'test' });
    recordAudit(em, { actorId: m.outsider.userId, organizationId: m.otherOrgId, action: 'other.org', targetType: 'test' });
  }
  await em.flush();
  await em.getConnection().execute(`update audit_logs set created_at = ? where organization_id = ?`, [at, m.orgId]);

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await auditOf(m.orgId, m.admin.token, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(3);
    seen.push(...res.body.items.map((i: { action: string }) => i.action));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(3);
  expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `test.${i}`));
});

it('answers 400 for a forged cursor or a limit out of range', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const forged = Buffer.from(JSON.stringify(['yesterday', "'; drop table users; --"])).toString('base64url');
  for (const query of [`?cursor=${forged}`, '?cursor=%%%', '?limit=0', '?limit=1000']) {
    const res = await auditOf(m.orgId, m.admin.token, query);
    expect(res.status, query).toBe(400);
  }
});
