import { fullFormats } from 'ajv-formats/dist/formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject, postVersion } from '../support/projects';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

// The outside fuzzer's finds, each pinned: the document and the routes must read alike.
let app: TestApp;
let doc: any;
beforeAll(async () => {
  app = await startTestApp();
  doc = (await app.call('GET', '/openapi.json')).body;
});
afterAll(async () => app?.close());

const op = (path: string, method: string) => doc.paths[`/api/v1${path}`][method];
const bodySchema = (path: string, method: string) => op(path, method).requestBody.content['application/json'].schema;

it('refuses int4 overflows with 400 and says the bounds in the document (parentVersion 2147483647 was a 500)', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  for (const parentVersion of [2_147_483_647, 2_147_483_648, 1e20]) {
    const res = await postVersion(app, m.editor.token, projectId, parentVersion, [{ path: 'a.txt', content: 'a' }]);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
  }
  expect(bodySchema('/projects/{projectId}/versions', 'post').properties.parentVersion.maximum).toBe(2_147_483_646);
  expect(bodySchema('/projects/{projectId}/deployments', 'post').properties.version.maximum).toBe(2_147_483_647);
  const events = await app.call('GET', `/topics/project:${projectId}/events?afterSeq=2147483648`, { token: m.editor.token });
  expect(events.status).toBe(400);
});

it('refuses instants PostgreSQL cannot take with 400 (year 0 was a 500 from GET usage)', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  for (const from of ['0000-02-29T03:34:34+23:16', '0001-01-01T00:30:00+01:00']) {
    const res = await app.call('GET', `/orgs/${m.orgId}/usage?from=${encodeURIComponent(from)}`, { token: m.admin.token });
    expect([from, res.status]).toEqual([from, 400]);
  }
  expect((await app.call('GET', `/orgs/${m.orgId}/usage?from=${encodeURIComponent('2026-01-01T00:00:00Z')}`, { token: m.admin.token })).status).toBe(200);
});

it('marks a body required exactly where the route refuses a missing one', async () => {
  expect(op('/projects/{projectId}/versions/{n}/rollback', 'post').requestBody.required).toBe(false);
  expect(op('/projects/{projectId}/previews', 'post').requestBody.required).toBe(false);
  expect(op('/projects/{projectId}/versions', 'post').requestBody.required).toBe(true);
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  await postVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'a' }]);
  const rollback = await app.call('POST', `/projects/${projectId}/versions/1/rollback`, { token: m.editor.token });
  expect(rollback.status).toBe(201);
});

it('reads emails with one pattern in zod and in the document', async () => {
  const email = bodySchema('/orgs/{orgId}/invites', 'post').properties.email;
  const pattern = new RegExp(email.pattern, 'u');
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  // JSON Schema's `format: email` as validators read it (Ajv's full format).
  const format = fullFormats.email as RegExp;
  for (const address of ['a@b-.io', 'a..b@x.io', '.a@x.io', 'a@x.i', "o'neil@x.io", 'ok.name+tag@mail.example.org']) {
    const res = await app.call('POST', `/orgs/${m.orgId}/invites`, { token: m.admin.token, body: { email: address, role: 'viewer' } });
    const accepted = res.status === 201;
    expect([address, accepted]).toEqual([address, pattern.test(address)]);
    if (accepted) expect([address, format.test(address)]).toEqual([address, true]);
  }
});

it('carries refinements into the document: one of name or slug, non-blank text, file path rules and limits', async () => {
  const patch = bodySchema('/projects/{projectId}', 'patch');
  expect(patch.anyOf).toEqual([{ required: ['name'] }, { required: ['slug'] }]);
  expect(new RegExp(patch.properties.name.pattern).test('   ')).toBe(false);
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  expect((await app.call('PATCH', `/projects/${projectId}`, { token: m.editor.token, body: {} })).status).toBe(400);
  expect((await app.call('PATCH', `/projects/${projectId}`, { token: m.editor.token, body: { name: '   ' } })).status).toBe(400);

  const files = bodySchema('/projects/{projectId}/versions', 'post').properties.files;
  expect(files.maxItems).toBe(2_000);
  expect(files.items.properties.path).toMatchObject({ minLength: 1, maxLength: 300, pattern: expect.any(String) });
  expect(new RegExp(bodySchema('/projects/{projectId}/versions', 'post').properties.message.pattern).test(' \n ')).toBe(false);
});

it('links the operations that create ids to those that use them, and documents every error status', () => {
  const created = op('/orgs/{orgId}/projects', 'post').responses['201'].links;
  expect(created.getProjectsByProjectId).toEqual({ operationId: 'getProjectsByProjectId', parameters: { projectId: '$response.body#/id' } });
  const version = op('/projects/{projectId}/versions', 'post').responses['201'].links.getProjectsByProjectIdVersionsByN;
  expect(version.parameters).toEqual({ projectId: '$request.path.projectId', n: '$response.body#/number' });
  expect(op('/sessions/{sessionId}/messages', 'post').responses['202'].links.postJobsByJobIdApprove.parameters).toEqual({ jobId: '$response.body#/job/id' });
  const ids = Object.values<Record<string, { operationId: string }>>(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
  expect(new Set(ids).size).toBe(ids.length);
  for (const status of ['400', '401', '403', '404', '409', '413', '422', '429', '503']) {
    expect(op('/projects/{projectId}/sessions', 'post').responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  }
  expect(op('/projects/{projectId}/sessions', 'post').parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header' }));
});

it('refuses text with a NUL character or a lone surrogate with 400, never a 500 from PostgreSQL', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  for (const name of ['a\u0000b', 'x\udfffy', '\ud800']) {
    const res = await app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.editor.token, body: { name } });
    expect([name, res.status]).toEqual([name, 400]);
    expect(res.body.error.details.issues[0].path).toBe('body.name');
  }
  // Well-formed astral characters (surrogate pairs) are text like any other.
  expect((await app.call('POST', `/orgs/${m.orgId}/projects`, { token: m.editor.token, body: { name: 'App 😀' } })).status).toBe(201);
});
