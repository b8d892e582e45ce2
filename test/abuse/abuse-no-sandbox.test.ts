import { dirname } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generatedApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';
import { spawnBuilder, type SpawnedWorker } from '../support/spawned-worker';

// A builder host without bubblewrap (here: a builder whose PATH holds only Node): with the default
// BUILD_SANDBOX=bwrap it never falls back to running tenant code unconfined. The preview fails
// with a typed error that names the fix, and nothing of the app ran.
let stack: DeliveryStack;
let builder: SpawnedWorker;

beforeAll(async () => {
  stack = await startDeliveryStack({ inProcessBuilder: false });
  builder = await spawnBuilder({ ...stack.builderEnv, PATH: dirname(process.execPath) });
}, 180_000);
afterAll(async () => {
  await builder?.stop();
  await stack?.close();
});

it('fails the build with sandbox_unavailable, naming the fix, instead of building unsandboxed', { timeout: 180_000 }, async () => {
  const { projectId } = await stack.newProject(generatedApp('no sandbox', { 'vite.config.ts': "console.log('TENANT-CODE-RAN');\nexport default {};\n" }));
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.editor.token, body: {} });
  const preview = await stack.waitForPreview(res.body.id, previewEnded);
  expect(preview.status).toBe('failed');
  expect(preview.error).toMatchObject({ code: 'sandbox_unavailable' });
  expect(preview.error!.message).toMatch(/bubblewrap.*apt-get install bubblewrap.*BUILD_SANDBOX=none/);
  expect(JSON.stringify(preview)).not.toContain('TENANT-CODE-RAN');
  expect(builder.log()).toContain('no build sandbox: every build will fail');
});
