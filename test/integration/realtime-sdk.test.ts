import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createForgeClient, ForgeApiError, type ForgeClient, type StoredEvent } from '../../client/index';
import type { TokenPair } from '../../domain/accounts';
import { initOrm, type MikroORM } from '../../db/orm';
import { appendMany, originOf, range, seedJob } from '../support/realtime-fixture';
import { startTestApp, testSecret, type TestApp } from '../support/test-app';

// The SDK against a real API: REST with typed errors and token refresh, and watch across token expiry.
let app: TestApp;
let shortLived: TestApp;
let worker: MikroORM;
const clients: ForgeClient[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { realtime: true });
  shortLived = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '2' }, { realtime: true });
  worker = await initOrm(app.deps.config.DATABASE_URL);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await worker?.close();
  await Promise.all([app?.close(), shortLived?.close()]);
});

const client = (on: TestApp, options: Partial<Parameters<typeof createForgeClient>[0]> = {}) => {
  const created = createForgeClient({ baseUrl: originOf(on), reconnect: { minDelayMs: 20, maxDelayMs: 200 }, ...options });
  clients.push(created);
  return created;
};

async function signUp(on: TestApp) {
  const sdk = client(on);
  const answer = await sdk.auth.signup({ email: `sdk-${randomUUID()}@example.test`, password: 'correct horse battery', name: 'Sdk' });
  return { sdk, answer };
}

/** An access token of `userId` that expired a minute ago, signed with the right key. */
const expiredToken = (userId: string) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuer('forge').setAudience('forge-api')
    .setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(testSecret));

describe('the SDK over REST', () => {
  it('signs up, keeps the tokens and answers typed results and typed errors', async () => {
    const { sdk, answer } = await signUp(app);
    expect(sdk.tokens.accessToken).toBe(answer.accessToken);
    const me = await sdk.me();
    expect(me.memberships).toEqual([{ organization: { id: answer.organization.id, name: answer.organization.name }, role: 'admin' }]);
    expect((await sdk.orgs.list()).items.map((o) => o.id)).toEqual([answer.organization.id]);

    const missing = await sdk.projects.get(randomUUID()).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(ForgeApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await sdk.orgs.create({ name: '' }).catch((err: unknown) => err);
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_input', details: { issues: [expect.objectContaining({ path: 'body.name' })] } });
  });

  it('refreshes an expired access token once and retries the call', async () => {
    const { answer } = await signUp(app);
    const seen: TokenPair[] = [];
    const sdk = client(app, { accessToken: await expiredToken(answer.user.id), refreshToken: answer.refreshToken, onTokens: (t) => seen.push(t) });
    const [me, orgs] = await Promise.all([sdk.me(), sdk.orgs.list()]);
    expect(me.user.id).toBe(answer.user.id);
    expect(orgs.items).toHaveLength(1);
    // Two calls met the 401 together; one refresh served both (a second would have spent a rotated token).
    expect(seen).toHaveLength(1);
  });

  it('reads a topic\'s whole log across pages', async () => {
    const { sdk, answer } = await signUp(app);
    const { topic } = await seedJob(worker, answer.organization.id, answer.user.id);
    await appendMany(worker, topic, 1_500, { batch: 100 });
    expect((await sdk.topics.allEvents(topic, 200)).map((e) => e.seq)).toEqual(range(201, 1_500));
  });
});

describe('watch', () => {
  it('refreshes an expired token at connect, then delivers the topic', async () => {
    const { answer } = await signUp(app);
    const { topic } = await seedJob(worker, answer.organization.id, answer.user.id);
    await appendMany(worker, topic, 3);
    const sdk = client(app, { accessToken: await expiredToken(answer.user.id), refreshToken: answer.refreshToken });
    const received: StoredEvent[] = [];
    const watch = sdk.watch(topic, { afterSeq: 1, onEvent: (e) => received.push(e) });
    expect(await watch.ready).toBe(3);
    await appendMany(worker, topic, 2, { from: 4 });
    await vi.waitFor(() => expect(received.map((e) => e.seq)).toEqual([2, 3, 4, 5]));
    expect(watch.lastSeq).toBe(5);
    expect(sdk.tokens.accessToken).not.toBe(null);
  });

  it('keeps a watch going across access-token expiry (the server closes at expiry; the SDK refreshes and resumes)', async () => {
    const { answer } = await signUp(shortLived);
    const { topic } = await seedJob(worker, answer.organization.id, answer.user.id);
    const refreshes: TokenPair[] = [];
    const sdk = client(shortLived, { accessToken: answer.accessToken, refreshToken: answer.refreshToken, onTokens: (t) => refreshes.push(t) });
    const received: StoredEvent[] = [];
    await sdk.watch(topic, { onEvent: (e) => received.push(e) }).ready;

    for (const n of range(1, 25)) {
      await appendMany(worker, topic, 2, { from: 2 * n - 1 });
      await new Promise((r) => setTimeout(r, 200));
    }
    await vi.waitFor(() => expect(received.map((e) => e.seq)).toEqual(range(1, 50)));
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a topic of another organization as not_found and stops', async () => {
    const [{ sdk }, { answer: other }] = [await signUp(app), await signUp(app)];
    const { topic } = await seedJob(worker, other.organization.id, other.user.id);
    const errors: ForgeApiError[] = [];
    const watch = sdk.watch(topic, { onEvent: () => {}, onError: (err) => errors.push(err) });
    await expect(watch.ready).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(errors).toHaveLength(1);
  });

  it('reports unauthorized when the token is refused and cannot be refreshed', async () => {
    const { answer } = await signUp(app);
    const { topic } = await seedJob(worker, answer.organization.id, answer.user.id);
    const sdk = client(app, { accessToken: await expiredToken(answer.user.id), refreshToken: 'spent-or-forged' });
    const watch = sdk.watch(topic, { onEvent: () => {} });
    await expect(watch.ready).rejects.toMatchObject({ status: 401, code: 'unauthorized', details: { reason: 'token_expired' } });
  });

  it('sends commands over the live connection with typed errors', async () => {
    const { sdk, answer } = await signUp(app);
    const { jobId } = await seedJob(worker, answer.organization.id, answer.user.id);
    await expect(sdk.live.command('cancel', { jobId })).rejects.toMatchObject({ status: 409, code: 'conflict' });
    await expect(sdk.live.command('cancel', { jobId: randomUUID() })).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
