import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubActivities } from '../../activities/github/github-activities';
import { VersionCommit } from '../../db/entities/index';
import { githubPollScheduleId } from '../../domain/github';
import type { BareGitRepo } from '../support/bare-git-repo';
import { codegenApi, eventually } from '../support/codegen-api';
import { startCodegenStack, type CodegenStack } from '../support/codegen-stack';
import { startFakeGithub, type FakeGithub } from '../support/fake-github';
import { sql } from '../support/projects';

const encryptionKey = randomBytes(32).toString('base64');
const webhookSecret = `whsec-${randomUUID()}`;
const app = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const APP_ID = 777;

let stack: CodegenStack;
let github: FakeGithub;
let api: ReturnType<typeof codegenApi>;
beforeAll(async () => {
  github = await startFakeGithub({ appPublicKey: app.publicKey, appId: APP_ID });
  stack = await startCodegenStack({ app: { ENCRYPTION_KEY: encryptionKey, GITHUB_WEBHOOK_SECRET: webhookSecret, GITHUB_POLL_SECONDS: '1' }, worker: { ENCRYPTION_KEY: encryptionKey } });
  api = codegenApi(stack);
});
afterAll(async () => {
  await stack?.close();
  await github?.close();
  for (const repo of github?.repos.values() ?? []) repo.close();
});

const admin = () => stack.roles.admin.token;
const call = (method: string, path: string, body?: unknown, token = admin()) => stack.app.call<any>(method, path, { token, body });
const connectToken = () => call('PUT', `/orgs/${stack.roles.orgId}/github`, { apiUrl: github.url, auth: { type: 'token', token: github.token } });
const commitOf = async (projectId: string, n: number) => {
  let sha: string | null = null;
  await eventually(async () => (sha = (await api.version(projectId, n)).commit?.sha ?? null) !== null, `version ${n} to be committed`, 60_000);
  return sha!;
};
const log = (repo: BareGitRepo, branch = 'main') => repo.git(['log', '--format=%H %s', branch]).trim().split('\n');

describe('GitHub storage', { timeout: 120_000 }, () => {
  let shop: BareGitRepo;
  let projectId: string;

  it('keeps the credential sealed: admins connect a token, GET shows its kind only, others are refused', async () => {
    expect((await call('PUT', `/orgs/${stack.roles.orgId}/github`, { apiUrl: github.url, auth: { type: 'token', token: github.token } }, stack.roles.editor.token)).status).toBe(403);
    const saved = await connectToken();
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toEqual({ type: 'token', apiUrl: github.url, appId: null, updatedAt: expect.any(String) });
    const [row] = await sql<{ sealed_secret: string }>(stack.app, 'select sealed_secret from github_connections where organization_id = ?', [stack.roles.orgId]);
    expect(row!.sealed_secret).not.toContain(github.token);
    expect(JSON.stringify((await call('GET', `/orgs/${stack.roles.orgId}/github`)).body)).not.toContain(github.token);
  });

  it('lists every file that breaks the upload rules when a branch cannot be imported, and connects nothing', async () => {
    expect((await connectToken()).status).toBe(200);
    const bad = github.repo('acme/bad');
    bad.commitFiles('main', { 'ok.txt': 'fine', 'dir\\evil.txt': 'x', 'big.bin': 'x'.repeat(1024 * 1024 + 1) }, 'Bad files');
    const project = await stack.newProject();
    const res = await call('PUT', `/projects/${project}/storage`, { backend: 'github', repository: { owner: 'acme', name: 'bad', branch: 'main' } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.problems, JSON.stringify(res.body)).toEqual(expect.arrayContaining([expect.stringContaining('"dir\\\\evil.txt" contains a backslash'), expect.stringContaining('"big.bin" is 1048577 bytes')]));
    expect((await call('GET', `/projects/${project}`)).body).toMatchObject({ storageBackend: 'internal', currentVersion: null });
  });

  it('imports an existing branch as a version when a project connects to it', async () => {
    shop = github.repo('acme/shop');
    const head = shop.commitFiles('main', { 'README.md': '# Shop\n', 'src/index.ts': 'export const shop = 1;\n' }, 'Initial commit');
    projectId = await stack.newProject();
    const res = await call('PUT', `/projects/${projectId}/storage`, { backend: 'github', repository: { owner: 'acme', name: 'shop', branch: 'main' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ storageBackend: 'github', currentVersion: 1 });
    const v1 = await api.version(projectId, 1);
    expect(v1).toMatchObject({ source: 'import', message: 'Initial commit', commit: { sha: head, pullRequestUrl: null } });
    expect(v1.files.map((f) => f.path)).toEqual(['README.md', 'src/index.ts']);
  });

  it('commits each saved version as exactly one commit (Git Data API), checked with git log and git show', async () => {
    const big = 'y'.repeat(40 * 1024);
    const files = [{ path: 'README.md', content: '# Shop\n\nNow with prices.\n' }, { path: 'src/prices.ts', content: 'export const price = 3;\n' }, { path: 'assets/big.txt', content: big }];
    const saved = await call('POST', `/projects/${projectId}/versions`, { parentVersion: 1, message: 'Add prices', files }, stack.roles.editor.token);
    expect(saved.status).toBe(201);
    const sha = await commitOf(projectId, 2);
    expect(log(shop)).toEqual([`${sha} Add prices`, expect.stringMatching(/ Initial commit$/)]);
    expect(shop.git(['show', '-s', '--format=%B', sha])).toContain(`Forge-Version: ${projectId}/2`);
    expect(shop.git(['show', '--name-status', '--format=', sha]).trim().split('\n').sort()).toEqual(['A\tassets/big.txt', 'A\tsrc/prices.ts', 'D\tsrc/index.ts', 'M\tREADME.md']);
    expect(shop.git(['show', `${sha}:assets/big.txt`])).toBe(big);
    // The large file went up as a blob; the small ones inline in the tree.
    expect(github.requests.filter((r) => r.operationId === 'git/create-blob')).toHaveLength(1);
  });

  it('finds its own commit by the trailer when the commit step runs again, instead of committing twice', async () => {
    await sql(stack.app, 'delete from version_commits where project_id = ? and number = 2', [projectId]);
    const before = log(shop);
    const again = await createGithubActivities({ orm: stack.env.orm, config: { ENCRYPTION_KEY: encryptionKey } }).commitVersionToGithub({ projectId, number: 2 });
    expect(again.sha).toBe(before[0]!.split(' ')[0]);
    expect(log(shop)).toEqual(before);
    expect(await stack.env.orm.em.fork().findOne(VersionCommit, { projectId, number: 2 })).toMatchObject({ sha: again.sha });
  });

  it('waits out a rate limit (403 with x-ratelimit-reset) and then commits', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 2;
    github.fail('GET /repos/acme/shop/commits', { status: 403, body: { message: 'API rate limit exceeded' }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    const saved = await call('POST', `/projects/${projectId}/versions/1/rollback`, {}, stack.roles.editor.token);
    expect(saved.status).toBe(201);
    const sha = await commitOf(projectId, 3);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(reset - 1);
    expect(github.requests.filter((r) => r.operationId === 'repos/list-commits' && r.path === '/repos/acme/shop/commits').length).toBeGreaterThanOrEqual(2);
    expect(log(shop)[0]).toBe(`${sha} Roll back to version 1`);
  });

  it('turns a push made outside Forge into an external version through a signed webhook, once per delivery', async () => {
    const pushed = shop.commitFiles('main', { 'CHANGELOG.md': 'pushed by hand\n' }, 'Edit outside Forge');
    const payload = { ref: 'refs/heads/main', after: pushed, repository: { name: 'shop', owner: { login: 'acme' } }, head_commit: { message: 'Edit outside Forge' } };
    const url = `${stack.app.baseUrl}/webhooks/github`;

    const forged = await github.deliver(url, 'not-the-secret-at-all', 'push', payload, 'forged-1');
    const unsigned = await github.deliver(url, null, 'push', payload, 'unsigned-1');
    expect([forged.status, unsigned.status]).toEqual([401, 401]);
    expect(await sql(stack.app, "select id from github_deliveries where id in ('forged-1', 'unsigned-1')")).toEqual([]);

    const first = await github.deliver(url, webhookSecret, 'push', payload, 'delivery-1');
    expect([first.status, await first.json()]).toEqual([202, { status: 'accepted', projects: 1 }]);
    const again = await github.deliver(url, webhookSecret, 'push', payload, 'delivery-1');
    expect(await again.json()).toEqual({ status: 'duplicate', projects: 0 });

    await eventually(async () => (await api.versions(projectId))[0]?.number === 4, 'the push to become version 4', 60_000);
    expect(await api.version(projectId, 4)).toMatchObject({ source: 'external', message: 'Edit outside Forge', commit: { sha: pushed } });
    expect(await api.file(projectId, 4, 'CHANGELOG.md')).toBe('pushed by hand\n');
    expect(await api.versions(projectId)).toHaveLength(4);
    // The schedule's polls saw the same head: still one version for it.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await api.versions(projectId)).toHaveLength(4);
  });

  it('also finds pushes without a webhook: a Temporal Schedule polls the branch', async () => {
    const schedule = await stack.env.client.schedule.getHandle(githubPollScheduleId(projectId)).describe();
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'githubImportWorkflow' });
    const pushed = shop.commitFiles('main', { 'NOTES.md': 'no webhook for this one\n' }, 'Quiet push');
    await eventually(async () => (await api.versions(projectId))[0]?.number === 5, 'the poll to import the push as version 5', 60_000);
    expect(await api.version(projectId, 5)).toMatchObject({ source: 'external', message: 'Quiet push', commit: { sha: pushed } });
  });

  it('reaches GitHub as a GitHub App: installation tokens from the app id and private key', async () => {
    const saved = await call('PUT', `/orgs/${stack.roles.orgId}/github`, { apiUrl: github.url, auth: { type: 'app', appId: APP_ID, privateKey: app.privateKey } });
    expect(saved.body).toMatchObject({ type: 'app', appId: APP_ID });
    const res = await call('POST', `/projects/${projectId}/versions`, { parentVersion: 5, message: 'Via the app', files: [{ path: 'README.md', content: 'app\n' }] }, stack.roles.editor.token);
    expect(res.status).toBe(201);
    const sha = await commitOf(projectId, 6);
    expect(log(shop)[0]).toBe(`${sha} Via the app`);
    expect(github.requests.map((r) => r.operationId)).toEqual(expect.arrayContaining(['apps/get-repo-installation', 'apps/create-installation-access-token']));
    expect((await connectToken()).status).toBe(200);
  });

  it('opens a pull request for a job when the session asks for one; the job events carry its URL', async () => {
    const todo = github.repo('acme/todo');
    todo.commitFiles('main', { 'README.md': '# Todo\n' }, 'Start');
    const project = await stack.newProject();
    expect((await call('PUT', `/projects/${project}/storage`, { backend: 'github', repository: { owner: 'acme', name: 'todo', branch: 'main' } })).status).toBe(200);
    // The branch moves after the import: the job starts from the new head (imported as version 2).
    const moved = todo.commitFiles('main', { 'NOTES.md': 'moved\n' }, 'Moved meanwhile');
    const session = await stack.startSession(project, { githubPullRequests: true });
    const job = await stack.waitForJob((await stack.send(session, 'Start over: build a new app with a todo list')).id);
    expect(job).toMatchObject({ status: 'completed', baseVersion: 2, resultVersion: 3 });
    expect(await api.version(project, 2)).toMatchObject({ source: 'external', commit: { sha: moved } });
    await eventually(async () => (await api.jobEvents(job.id)).some((e) => e.type === 'github.pull_request'), 'the pull request event', 60_000);
    const event = (await api.jobEvents(job.id)).find((e) => e.type === 'github.pull_request')!;
    expect(github.pulls).toEqual([expect.objectContaining({ repo: 'acme/todo', base: 'main', url: event.data.url })]);
    const branch = github.pulls[0]!.head;
    expect(todo.head('main')).toBe(moved);
    expect(todo.git(['rev-parse', `${branch}~1`]).trim()).toBe(moved);
    expect(todo.git(['rev-list', '--count', `main..${branch}`]).trim()).toBe('1');
    expect(todo.git(['show', `${branch}:src/App.tsx`])).toContain('TodoList');
  });

  it('sent GitHub only requests that match its published OpenAPI description', () => {
    expect(github.violations).toEqual([]);
  });

  it('stops polling when a project goes back to internal storage', async () => {
    const projects = await sql<{ id: string }>(stack.app, "select id from projects where storage_backend = 'github' and organization_id = ?", [stack.roles.orgId]);
    for (const { id } of projects) {
      expect((await call('PUT', `/projects/${id}/storage`, { backend: 'internal' })).status).toBe(200);
      await expect(stack.env.client.schedule.getHandle(githubPollScheduleId(id)).describe()).rejects.toThrow();
    }
  });
});
