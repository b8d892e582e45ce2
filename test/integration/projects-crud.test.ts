import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject, saveVersion, sql } from '../support/projects';
import { statusByActor } from '../support/role-matrix';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

it('creates a project (editor and up) with the documented JSON and a slug derived from the name', async () => {
  const statuses = await statusByActor(app, (m, as) => app.call('POST', `/orgs/${m.orgId}/projects`, { token: as.token, body: { name: 'Todo app' } }));
  expect(statuses).toEqual({ admin: 201, editor: 201, viewer: 403, outsider: 404 });

  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const res = await app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.editor.token, body: { name: '  Mon Café: App!  ' } });
  expect(res.status).toBe(201);
  expect(res.body).toEqual({
    id: expect.any(String),
    organizationId: m.orgId,
    name: 'Mon Café: App!',
    slug: 'mon-cafe-app',
    storageBackend: 'internal',
    currentVersion: null,
    publishedVersion: null,
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  const [audit] = await sql(app, `select actor_id, action, target_id from audit_logs where organization_id = ? and action = 'project.create'`, [m.orgId]);
  expect(audit).toEqual({ actor_id: m.editor.userId, action: 'project.create', target_id: res.body.id });
});

it('suffixes a derived slug that is taken, refuses a taken explicit slug with 409, and scopes slugs per organization', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const create = (orgId: string, token: string, body: object) => app.call('POST', `/orgs/${orgId}/projects`, { token, body });
  expect((await create(m.orgId, m.editor.token, { name: 'Shop' })).body.slug).toBe('shop');
  expect((await create(m.orgId, m.editor.token, { name: 'Shop' })).body.slug).toBe('shop-2');
  expect((await create(m.orgId, m.editor.token, { name: 'Shop', slug: 'storefront' })).body.slug).toBe('storefront');

  const taken = await create(m.orgId, m.editor.token, { name: 'Other', slug: 'shop' });
  expect(taken.status).toBe(409);
  expect(taken.body.error).toMatchObject({ code: 'conflict', details: { slug: 'shop' } });
  expect((await create(m.otherOrgId, m.outsider.token, { name: 'x', slug: 'shop' })).status).toBe(201);

  for (const slug of ['Shop', 'a--b', '-a', 'a_b', 'x'.repeat(61)]) {
    expect((await create(m.orgId, m.editor.token, { name: 'n', slug })).status, slug).toBe(400);
  }
});

it('lists an organization\'s projects newest first with a cursor, for any member only', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await createProject(app, m.editor.token, m.orgId, `P${i}`));
  await createProject(app, m.outsider.token, m.otherOrgId);

  const first = await app.call('GET', `/orgs/${m.orgId}/projects?limit=3`, { token: m.viewer.token });
  expect(first.status).toBe(200);
  expect(first.body.items.map((p: { id: string }) => p.id)).toEqual(ids.slice(2).reverse());
  const second = await app.call('GET', `/orgs/${m.orgId}/projects?limit=3&cursor=${first.body.nextCursor}`, { token: m.viewer.token });
  expect(second.body.items.map((p: { id: string }) => p.id)).toEqual(ids.slice(0, 2).reverse());
  expect(second.body.nextCursor).toBeUndefined();

  const statuses = await statusByActor(app, (mm, as) => app.call('GET', `/orgs/${mm.orgId}/projects`, { token: as.token }));
  expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 200, outsider: 404 });
});

it('reads a project for members; another organization\'s project answers exactly like a missing one', async () => {
  const statuses = await statusByActor(app, async (m, as) => app.call('GET', `/projects/${await createProject(app, m.admin.token, m.orgId)}`, { token: as.token }));
  expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 200, outsider: 404 });

  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  const foreign = await app.call('GET', `/projects/${projectId}`, { token: m.outsider.token });
  const missing = await app.call('GET', `/projects/${randomUUID()}`, { token: m.outsider.token });
  expect(foreign.status).toBe(404);
  expect(foreign.body).toEqual(missing.body);
  expect(foreign.body).toEqual({ error: { code: 'not_found', message: 'Project not found' } });
  expect((await app.call('GET', '/projects/not-a-uuid', { token: m.viewer.token })).status).toBe(400);
});

it('renames and re-slugs a project (editor and up), audited, with 409 on a taken slug', async () => {
  const statuses = await statusByActor(app, async (m, as) =>
    app.call('PATCH', `/projects/${await createProject(app, m.admin.token, m.orgId)}`, { token: as.token, body: { name: 'Renamed' } }));
  expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 403, outsider: 404 });

  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId, 'Alpha');
  await createProject(app, m.editor.token, m.orgId, 'Beta');
  const renamed = await app.call('PATCH', `/projects/${projectId}`, { token: m.editor.token, body: { name: 'Gamma', slug: 'gamma' } });
  expect(renamed.status).toBe(200);
  expect(renamed.body).toMatchObject({ id: projectId, name: 'Gamma', slug: 'gamma' });
  expect((await app.call('PATCH', `/projects/${projectId}`, { token: m.editor.token, body: { slug: 'beta' } })).status).toBe(409);
  expect((await app.call('PATCH', `/projects/${projectId}`, { token: m.editor.token, body: {} })).status).toBe(400);
  expect((await app.call('GET', `/projects/${projectId}`, { token: m.viewer.token })).body.slug).toBe('gamma');
  const audits = await sql(app, `select details from audit_logs where target_id = ? and action = 'project.update'`, [projectId]);
  expect(audits).toEqual([{ details: { before: { name: 'Alpha', slug: 'alpha' }, after: { name: 'Gamma', slug: 'gamma' } } }]);
});

// Deleting a project runs as a workflow: test/integration/project-deletion.test.ts.

it('publishes an existing version (editor and up), unpublishes with null, 404s an unknown version', async () => {
  const statuses = await statusByActor(app, async (m, as) => {
    const projectId = await createProject(app, m.admin.token, m.orgId);
    await saveVersion(app, m.admin.token, projectId, null, [{ path: 'a.txt', content: 'a' }]);
    return app.call('POST', `/projects/${projectId}/publish`, { token: as.token, body: { version: 1 } });
  });
  expect(statuses).toEqual({ admin: 200, editor: 200, viewer: 403, outsider: 404 });

  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'a' }]);
  await saveVersion(app, m.editor.token, projectId, 1, [{ path: 'a.txt', content: 'b' }]);
  const published = await app.call('POST', `/projects/${projectId}/publish`, { token: m.editor.token, body: { version: 1 } });
  expect(published.body).toMatchObject({ currentVersion: 2, publishedVersion: 1 });
  const unknown = await app.call('POST', `/projects/${projectId}/publish`, { token: m.editor.token, body: { version: 3 } });
  expect(unknown.status).toBe(404);
  expect((await app.call('GET', `/projects/${projectId}`, { token: m.viewer.token })).body.publishedVersion).toBe(1);
  const unpublished = await app.call('POST', `/projects/${projectId}/publish`, { token: m.editor.token, body: { version: null } });
  expect(unpublished.body.publishedVersion).toBeNull();
  const audits = await sql(app, `select details from audit_logs where target_id = ? and action = 'project.publish' order by created_at`, [projectId]);
  expect(audits).toEqual([{ details: { version: 1, previous: null } }, { details: { version: null, previous: 1 } }]);
});
