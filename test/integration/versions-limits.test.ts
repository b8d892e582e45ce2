import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VersionLimits } from '../../domain/versions';
import { createProject, postVersion, sql, type FileInput } from '../support/projects';
import { seedRoleMatrix } from '../support/seed';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let token: string;
let orgId: string;
/** Every refused post targets this project, which must stay without versions. */
let projectId: string;
beforeAll(async () => {
  app = await startTestApp();
  const m = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
  token = m.editor.token;
  orgId = m.orgId;
  projectId = await createProject(app, token, orgId);
});
afterAll(async () => app?.close());

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const MiB = 1024 * 1024;

/** A valid file next to the bad one: its content must not be stored either. */
const innocent = (): FileInput => ({ path: 'src/ok.ts', content: `export const ok = '${randomUUID()}';\n` });

/** Posts a first version that must be refused with `status`, and checks that nothing at all was written. */
async function expectRefused(files: FileInput[], status: 400 | 413) {
  const res = await postVersion(app, token, projectId, null, files);
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(status === 400 ? 'invalid_input' : 'payload_too_large');
  expect(await sql(app, 'select 1 from code_versions where project_id = ?', [projectId])).toEqual([]);
  expect(await sql(app, 'select current_version from projects where id = ?', [projectId])).toEqual([{ current_version: null }]);
  expect(await sql(app, 'select 1 from file_blobs where hash in (?)', [files.map((f) => sha256(f.content))])).toEqual([]);
  expect(await sql(app, `select 1 from audit_logs where target_id = ? and action like 'version.%'`, [projectId])).toEqual([]);
  expect(await sql(app, 'select 1 from events where topic = ?', [`project:${projectId}`])).toEqual([]);
  return res.body.error;
}

it.each([
  ['absolute', '/etc/passwd', 'is absolute'],
  ['parent segment', '../outside.ts', 'contains a ".." segment'],
  ['inner parent segment', 'src/../../outside.ts', 'contains a ".." segment'],
  ['NUL', 'src/a\0.ts', 'contains a NUL character'],
  ['backslash', 'src\\windows.ts', 'contains a backslash'],
  ['over 300 characters', `src/${'x'.repeat(297)}`, 'is longer than 300 characters'],
])('refuses a path that is %s with 400 naming it, writing nothing', async (_name, path, problem) => {
  const error = await expectRefused([innocent(), { path, content: `bad ${randomUUID()}` }], 400);
  expect(error.message).toContain(`Path ${JSON.stringify(path)} ${problem}`);
  expect(error.details.issues[0]).toMatchObject({ path: 'body.files.1.path', message: `Path ${JSON.stringify(path)} ${problem}` });
});

it('refuses the same path twice with 400 naming it', async () => {
  const error = await expectRefused([innocent(), { path: 'a.ts', content: `one ${randomUUID()}` }, { path: 'a.ts', content: `two ${randomUUID()}` }], 400);
  expect(error).toMatchObject({ message: 'Path "a.ts" appears more than once', details: { path: 'a.ts' } });
});

it('refuses a file over 1 MiB (counted in UTF-8 bytes) with 413 naming it', async () => {
  // 524,289 'é' are 524,289 characters but 1,048,578 bytes.
  const content = 'é'.repeat(MiB / 2 + 1);
  const error = await expectRefused([innocent(), { path: 'assets/big.txt', content }], 413);
  expect(error.details).toEqual({ path: 'assets/big.txt', size: MiB + 2, limit: MiB });
  expect(error.message).toContain('"assets/big.txt"');
});

it('refuses more than 2,000 files with 413', async () => {
  const files = Array.from({ length: VersionLimits.maxFiles + 1 }, (_, i) => ({ path: `f/${i}.txt`, content: `${i} ${randomUUID()}` }));
  const error = await expectRefused(files, 413);
  expect(error.details).toEqual({ limit: 2_000, count: 2_001 });
});

it('refuses a version over 20 MiB with 413 payload_too_large', async () => {
  // 21 files of 1,000,000 bytes: each under 1 MiB, together over 20 MiB, the body under the 25 MB parser limit.
  const files = Array.from({ length: 21 }, (_, i) => ({ path: `blob/${i}.txt`, content: `${randomUUID()}`.padEnd(1_000_000, String(i % 10)) }));
  const error = await expectRefused(files, 413);
  expect(error.details).toEqual({ size: 21_000_000, limit: 20 * MiB });
});

it('refuses a body over the parser limit with 413 too', async () => {
  const files = [{ path: 'huge.txt', content: 'x'.repeat(26 * 1000 * 1000) }];
  await expectRefused(files, 413);
});

it('accepts the limits themselves: 2,000 files, a 1 MiB file, a 300-character path', async () => {
  const files = Array.from({ length: VersionLimits.maxFiles - 2 }, (_, i) => ({ path: `f/${i}.txt`, content: String(i % 7) }));
  files.push({ path: 'exactly-1-mib.txt', content: 'x'.repeat(MiB) }, { path: `p/${'y'.repeat(298)}`, content: 'long path' });
  const res = await postVersion(app, token, await createProject(app, token, orgId), null, files);
  expect(res.status).toBe(201);
  expect(res.body.files).toHaveLength(2_000);
  expect(res.body.files.find((f: { path: string }) => f.path === 'exactly-1-mib.txt').size).toBe(MiB);
  // 1,998 small files with 7 distinct contents: 7 blobs (+ the two others).
  expect(new Set(res.body.files.map((f: { hash: string }) => f.hash)).size).toBe(9);
});
