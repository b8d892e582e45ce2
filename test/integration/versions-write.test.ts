import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storageFor } from '../../activities/storage/index';
import { Project } from '../../db/entities/index';
import { createProject, postVersion, saveVersion, sql } from '../support/projects';
import { statusByActor } from '../support/role-matrix';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function editorProject() {
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  return { m, projectId: await createProject(app, m.editor.token, m.orgId) };
}

it('saves versions (editor and up) numbered 1, 2, ... with parent, message, source and hashed files', async () => {
  const statuses = await statusByActor(app, async (m, as) =>
    postVersion(app, as.token, await createProject(app, m.admin.token, m.orgId), null, [{ path: 'a.txt', content: 'a' }]));
  expect(statuses).toEqual({ admin: 201, editor: 201, viewer: 403, outsider: 404 });

  const { m, projectId } = await editorProject();
  const first = await app.call('POST', `/projects/${projectId}/versions`, {
    token: m.editor.token,
    body: { parentVersion: null, message: 'Initial import', source: 'import', files: [{ path: 'src/main.ts', content: 'console.log("hé")\n' }, { path: 'README.md', content: '' }] },
  });
  expect(first.status).toBe(201);
  expect(first.body).toEqual({
    number: 1,
    parentVersion: null,
    message: 'Initial import',
    source: 'import',
    storageRef: expect.stringMatching(/^[0-9a-f]{64}$/),
    authorId: m.editor.userId,
    createdAt: expect.any(String),
    // An internal project's version is never a GitHub commit.
    commit: null,
    files: [
      { path: 'README.md', hash: sha256(''), size: 0 },
      { path: 'src/main.ts', hash: sha256('console.log("hé")\n'), size: 19 },
    ],
  });
  const second = await postVersion(app, m.editor.token, projectId, 1, [{ path: 'README.md', content: '# hi' }]);
  expect(second.body).toMatchObject({ number: 2, parentVersion: 1, source: 'manual_edit' });
  expect((await app.call('GET', `/projects/${projectId}`, { token: m.viewer.token })).body.currentVersion).toBe(2);
  // Only manual_edit and import can be claimed by a client.
  const claimed = await app.call('POST', `/projects/${projectId}/versions`, { token: m.editor.token, body: { parentVersion: 2, message: 'x', source: 'ai_generation', files: [] } });
  expect(claimed.status).toBe(400);
  // Version numbers are Postgres integers: a larger one is a 400, not a database error.
  expect((await postVersion(app, m.editor.token, projectId, 2 ** 31, [])).status).toBe(400);
  expect((await app.call('POST', `/projects/${projectId}/publish`, { token: m.editor.token, body: { version: 2 ** 31 } })).status).toBe(400);
  expect(await sql(app, 'select seq, type, data from events where topic = ? order by seq', [`project:${projectId}`])).toEqual([
    { seq: 1, type: 'version.saved', data: { version: 1, parentVersion: null, source: 'import' } },
    { seq: 2, type: 'version.saved', data: { version: 2, parentVersion: 1, source: 'manual_edit' } },
  ]);
  const audits = await sql(app, `select actor_id, details from audit_logs where target_id = ? and action = 'version.create' order by created_at`, [projectId]);
  expect(audits).toEqual([
    { actor_id: m.editor.userId, details: { number: 1, parentVersion: null, source: 'import', files: 2 } },
    { actor_id: m.editor.userId, details: { number: 2, parentVersion: 1, source: 'manual_edit', files: 1 } },
  ]);
});

it('answers 409 version_conflict when parentVersion is not the current version, writing nothing', async () => {
  const { m, projectId } = await editorProject();
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'one' }]);
  await saveVersion(app, m.editor.token, projectId, 1, [{ path: 'a.txt', content: 'two' }]);
  const unique = `stale ${randomUUID()}`;
  for (const parentVersion of [null, 1, 3]) {
    const res = await postVersion(app, m.editor.token, projectId, parentVersion, [{ path: 'a.txt', content: unique }]);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'version_conflict', details: { parentVersion, currentVersion: 2 } });
  }
  expect(await sql(app, 'select 1 from file_blobs where hash = ?', [sha256(unique)])).toEqual([]);
  expect(await sql(app, 'select number from code_versions where project_id = ? order by number', [projectId])).toEqual([{ number: 1 }, { number: 2 }]);
  expect(await sql(app, 'select count(*)::int as n from events where topic = ?', [`project:${projectId}`])).toEqual([{ n: 2 }]);
});

it('lets exactly one of several racing writers with the same parent win; the others get 409', async () => {
  const { m, projectId } = await editorProject();
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'base' }]);
  const ownHashes: string[] = [];
  for (let round = 0; round < 3; round++) {
    const parent = round + 1;
    // Shared and distinct contents, so the writers also race on the same blob rows.
    const own = Array.from({ length: 8 }, (_, i) => `writer ${i} of round ${round} in ${projectId}`);
    ownHashes.push(...own.map(sha256));
    const results = await Promise.all(own.map((content) =>
      postVersion(app, m.editor.token, projectId, parent, [{ path: 'shared.txt', content: `round ${round}` }, { path: 'own.txt', content }])));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!;
    expect(winner.body.number).toBe(parent + 1);
    for (const loser of results.filter((r) => r.status === 409)) expect(loser.body.error.code).toBe('version_conflict');
  }
  const rows = await sql<{ number: number; parent_version: number | null }>(app, 'select number, parent_version from code_versions where project_id = ? order by number', [projectId]);
  expect(rows).toEqual([{ number: 1, parent_version: null }, { number: 2, parent_version: 1 }, { number: 3, parent_version: 2 }, { number: 4, parent_version: 3 }]);
  expect(await sql(app, 'select seq from events where topic = ? order by seq', [`project:${projectId}`])).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 4 }]);
  // Losers left no blobs: of the 24 own.txt contents, only the 3 winners' exist.
  expect(await sql(app, 'select 1 from file_blobs where hash in (?)', [ownHashes])).toHaveLength(3);
});

it('stores each content once (sha256) across files, versions and projects', async () => {
  const { m, projectId } = await editorProject();
  const otherProject = await createProject(app, m.editor.token, m.orgId);
  const content = `shared ${randomUUID()}`;
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content }, { path: 'b/c.txt', content }]);
  await saveVersion(app, m.editor.token, projectId, 1, [{ path: 'a.txt', content }, { path: 'new.txt', content }]);
  await saveVersion(app, m.editor.token, otherProject, null, [{ path: 'z.txt', content }]);
  expect(await sql(app, 'select size from file_blobs where hash = ?', [sha256(content)])).toEqual([{ size: Buffer.byteLength(content) }]);
  expect(await sql(app, 'select count(*)::int as n from source_files where hash = ?', [sha256(content)])).toEqual([{ n: 5 }]);
});

it('never alters an older version: files and hashes stay as saved, and the database refuses updates', async () => {
  const { m, projectId } = await editorProject();
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'v1 a' }, { path: 'b.txt', content: 'v1 b' }]);
  const before = await app.call('GET', `/projects/${projectId}/versions/1`, { token: m.viewer.token });
  await saveVersion(app, m.editor.token, projectId, 1, [{ path: 'a.txt', content: 'v2 a' }]);
  await saveVersion(app, m.editor.token, projectId, 2, [{ path: 'b.txt', content: 'v1 b' }, { path: 'c.txt', content: 'v3' }]);
  const after = await app.call('GET', `/projects/${projectId}/versions/1`, { token: m.viewer.token });
  expect(after.body).toEqual(before.body);
  expect((await app.call('GET', `/projects/${projectId}/versions/1/files/a.txt`, { token: m.viewer.token })).body.content).toBe('v1 a');

  // No route changes a version...
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    expect((await app.call(method, `/projects/${projectId}/versions/1`, { token: m.admin.token, body: { message: 'rewritten' } })).status).toBe(404);
  }
  // ...and neither can SQL.
  const [version] = await sql<{ id: string }>(app, 'select id from code_versions where project_id = ? and number = 1', [projectId]);
  await expect(sql(app, `update code_versions set message = 'rewritten' where id = ?`, [version!.id])).rejects.toThrow(/immutable/);
  await expect(sql(app, `update source_files set hash = ? where version_id = ?`, [sha256('v2 a'), version!.id])).rejects.toThrow(/immutable/);
  await expect(sql(app, `update file_blobs set content = 'x' where hash = ?`, [sha256('v1 a')])).rejects.toThrow(/immutable/);
});

it('rolls back (editor and up) as a new version with the old files, source rollback, parent the current version', async () => {
  const statuses = await statusByActor(app, async (mm, as) => {
    const id = await createProject(app, mm.admin.token, mm.orgId);
    await saveVersion(app, mm.admin.token, id, null, [{ path: 'a.txt', content: 'a' }]);
    return app.call('POST', `/projects/${id}/versions/1/rollback`, { token: as.token });
  });
  expect(statuses).toEqual({ admin: 201, editor: 201, viewer: 403, outsider: 404 });

  const { m, projectId } = await editorProject();
  await saveVersion(app, m.editor.token, projectId, null, [{ path: 'a.txt', content: 'first' }, { path: 'gone.txt', content: 'bye' }]);
  await saveVersion(app, m.editor.token, projectId, 1, [{ path: 'a.txt', content: 'second' }, { path: 'new.txt', content: 'hi' }]);
  const v1 = await app.call('GET', `/projects/${projectId}/versions/1`, { token: m.viewer.token });

  const rollback = await app.call('POST', `/projects/${projectId}/versions/1/rollback`, { token: m.editor.token });
  expect(rollback.status).toBe(201);
  expect(rollback.body).toMatchObject({ number: 3, parentVersion: 2, source: 'rollback', message: 'Roll back to version 1', files: v1.body.files });
  expect(rollback.body.storageRef).toBe(v1.body.storageRef);
  expect((await app.call('GET', `/projects/${projectId}/versions/3/files/gone.txt`, { token: m.viewer.token })).body.content).toBe('bye');
  expect((await app.call('GET', `/projects/${projectId}`, { token: m.viewer.token })).body.currentVersion).toBe(3);

  const named = await app.call('POST', `/projects/${projectId}/versions/2/rollback`, { token: m.editor.token, body: { message: 'Back to the second try' } });
  expect(named.body).toMatchObject({ number: 4, parentVersion: 3, message: 'Back to the second try' });
  expect((await app.call('POST', `/projects/${projectId}/versions/9/rollback`, { token: m.editor.token })).status).toBe(404);
  expect(await sql(app, `select details from audit_logs where target_id = ? and action = 'version.rollback' order by created_at`, [projectId])).toEqual([
    { details: { number: 3, parentVersion: 2, source: 'rollback', files: 2 } },
    { details: { number: 4, parentVersion: 3, source: 'rollback', files: 2 } },
  ]);
});

it('returns the first version when a save is retried with the same idempotency key (activity retries)', async () => {
  const { m, projectId } = await editorProject();
  const em = app.deps.orm.em.fork();
  const storage = storageFor(em, await em.findOneOrFail(Project, projectId));
  const files = await storage.putFiles([{ path: 'app.ts', content: 'generated' }]);
  const input = { parentVersion: null, message: 'Generated', source: 'ai_generation' as const, authorId: m.editor.userId, files, idempotencyKey: `job-${randomUUID()}/save` };
  // The retry races its own first attempt, then comes again after it committed.
  const [a, b] = await Promise.all([storage.saveVersion(input), storageFor(app.deps.orm.em.fork(), await em.findOneOrFail(Project, projectId)).saveVersion(input)]);
  const c = await storage.saveVersion(input);
  expect([a.version.number, b.version.number, c.version.number]).toEqual([1, 1, 1]);
  expect(c.files).toEqual(a.files);
  expect(await sql(app, 'select count(*)::int as n from code_versions where project_id = ?', [projectId])).toEqual([{ n: 1 }]);
  // A different key on the same stale parent is a real conflict.
  await expect(storage.saveVersion({ ...input, idempotencyKey: 'another' })).rejects.toMatchObject({ code: 'version_conflict' });
  // Hashes that were never stored are refused.
  await expect(storage.saveVersion({ ...input, parentVersion: 1, idempotencyKey: undefined, files: [{ path: 'x', hash: sha256('never stored') }] }))
    .rejects.toMatchObject({ code: 'invalid_input', details: { path: 'x' } });
});
