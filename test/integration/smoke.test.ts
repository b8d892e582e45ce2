import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => app?.close());

it('answers unknown routes with a 404 in the error format', async () => {
  const res = await app.call('GET', '/nope');
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('not_found');
});
