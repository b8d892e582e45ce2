import { applyPatch } from 'diff';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProject, saveVersion } from '../support/projects';
import { statusByActor, type RoleMatrix } from '../support/role-matrix';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

const v1 = [
  { path: 'src/app.ts', content: 'const a = 1;\nconst b = 2;\nexport { a, b };\n' },
  { path: 'src/old.ts', content: 'export const old = true;\n' },
  { path: 'same.txt', content: 'unchanged\n' },
];
const v2 = [
  { path: 'src/app.ts', content: 'const a = 1;\nconst b = 3;\nexport { a, b };\n' },
  { path: 'docs/new file (1).md', content: '# New\n' },
  { path: 'same.txt', content: 'unchanged\n' },
];

/** A project of `m.orgId` with versions 1 (v1) and 2 (v2). */
async function projectWithHistory(m: RoleMatrix): Promise<string> {
  const projectId = await createProject(app, m.admin.token, m.orgId);
  await saveVersion(app, m.admin.token, projectId, null, v1);
  await saveVersion(app, m.admin.token, projectId, 1, v2);
  return projectId;
}

it('lets every member, and no outsider, read versions, files and diffs', async () => {
  const reads = ['/versions', '/versions/1', '/versions/1/files/src/app.ts', '/versions/1/diff/2'];
  for (const path of reads) {
    const statuses = await statusByActor(app, async (m, as) => app.call('GET', `/projects/${await projectWithHistory(m)}${path}`, { token: as.token }));
    expect(statuses, path).toEqual({ admin: 200, editor: 200, viewer: 200, outsider: 404 });
  }
});

it('answers another organization\'s versions exactly like missing ones', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await projectWithHistory(m);
  for (const path of ['/versions/1', '/versions/1/files/same.txt', '/versions/1/diff/2']) {
    const res = await app.call('GET', `/projects/${projectId}${path}`, { token: m.outsider.token });
    expect(res.body, path).toEqual({ error: { code: 'not_found', message: 'Project not found' } });
  }
  for (const [method, path] of [['POST', '/versions'], ['POST', '/versions/1/rollback'], ['POST', '/publish']] as const) {
    const res = await app.call(method, `/projects/${projectId}${path}`, { token: m.outsider.token, body: { parentVersion: 2, message: 'x', files: [], version: 1 } });
    expect(res.status, path).toBe(404);
  }
});

it('lists versions newest first with a cursor', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await createProject(app, m.editor.token, m.orgId);
  for (let n = 1; n <= 5; n++) await saveVersion(app, m.editor.token, projectId, n === 1 ? null : n - 1, [{ path: 'n.txt', content: String(n) }]);
  const first = await app.call('GET', `/projects/${projectId}/versions?limit=2`, { token: m.viewer.token });
  expect(first.body.items.map((v: { number: number }) => v.number)).toEqual([5, 4]);
  expect(first.body.items[0]).toEqual({
    number: 5, parentVersion: 4, message: 'edit', source: 'manual_edit', storageRef: expect.any(String), authorId: m.editor.userId, createdAt: expect.any(String),
  });
  const numbers = [...first.body.items.map((v: { number: number }) => v.number)];
  let cursor = first.body.nextCursor;
  while (cursor) {
    const page = await app.call('GET', `/projects/${projectId}/versions?limit=2&cursor=${cursor}`, { token: m.viewer.token });
    numbers.push(...page.body.items.map((v: { number: number }) => v.number));
    cursor = page.body.nextCursor;
  }
  expect(numbers).toEqual([5, 4, 3, 2, 1]);
  expect((await app.call('GET', `/projects/${projectId}/versions?cursor=forged`, { token: m.viewer.token })).status).toBe(400);
});

it('reads a version\'s file list and single files by nested, encoded paths', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await projectWithHistory(m);
  const version = await app.call('GET', `/projects/${projectId}/versions/2`, { token: m.viewer.token });
  expect(version.body.files.map((f: { path: string }) => f.path)).toEqual(['docs/new file (1).md', 'same.txt', 'src/app.ts']);

  const file = await app.call('GET', `/projects/${projectId}/versions/2/files/docs/${encodeURIComponent('new file (1).md')}`, { token: m.viewer.token });
  expect(file.status).toBe(200);
  expect(file.body).toEqual({ path: 'docs/new file (1).md', hash: expect.stringMatching(/^[0-9a-f]{64}$/), size: 6, content: '# New\n' });

  const missing = await app.call('GET', `/projects/${projectId}/versions/2/files/src/old.ts`, { token: m.viewer.token });
  expect(missing.status).toBe(404);
  expect(missing.body.error.message).toBe('File "src/old.ts" of version 2 not found');
  expect((await app.call('GET', `/projects/${projectId}/versions/7`, { token: m.viewer.token })).status).toBe(404);
  expect((await app.call('GET', `/projects/${projectId}/versions/0`, { token: m.viewer.token })).status).toBe(400);
  expect((await app.call('GET', `/projects/${projectId}/versions/latest`, { token: m.viewer.token })).status).toBe(400);
});

it('diffs any two versions per file: added, removed, modified, with unified patches and stats', async () => {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  const projectId = await projectWithHistory(m);
  const res = await app.call('GET', `/projects/${projectId}/versions/1/diff/2`, { token: m.viewer.token });
  expect(res.status).toBe(200);
  expect(res.body.files.map((f: { path: string; status: string }) => [f.path, f.status])).toEqual([
    ['docs/new file (1).md', 'added'],
    ['src/app.ts', 'modified'],
    ['src/old.ts', 'removed'],
  ]);
  expect(res.body.stats).toEqual({ added: 1, removed: 1, modified: 1, additions: 2, deletions: 2 });
  const [added, modified, removed] = res.body.files;
  expect(modified.patch).toBe('--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,3 +1,3 @@\n const a = 1;\n-const b = 2;\n+const b = 3;\n export { a, b };\n');
  expect(added.patch).toContain('--- /dev/null\n+++ b/docs/new file (1).md\n');
  expect(removed.patch).toContain('--- a/src/old.ts\n+++ /dev/null\n');
  // Each patch turns the old content into the new one.
  expect(applyPatch(v1[0]!.content, modified.patch)).toBe(v2[0]!.content);
  expect(applyPatch('', added.patch)).toBe('# New\n');
  expect(applyPatch(v1[1]!.content, removed.patch)).toBe('');

  const reverse = await app.call('GET', `/projects/${projectId}/versions/2/diff/1`, { token: m.viewer.token });
  expect(reverse.body.files.map((f: { path: string; status: string }) => [f.path, f.status])).toEqual([
    ['docs/new file (1).md', 'removed'],
    ['src/app.ts', 'modified'],
    ['src/old.ts', 'added'],
  ]);
  const same = await app.call('GET', `/projects/${projectId}/versions/2/diff/2`, { token: m.viewer.token });
  expect(same.body).toEqual({ from: 2, to: 2, files: [], stats: { added: 0, removed: 0, modified: 0, additions: 0, deletions: 0 } });
  expect((await app.call('GET', `/projects/${projectId}/versions/1/diff/3`, { token: m.viewer.token })).status).toBe(404);
});
