import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slowBuildingApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';
import { spawnBuilder, type SpawnedWorker } from '../support/spawned-worker';

// A real builder process, killed with SIGKILL in the middle of a build: nothing drains, the build's
// sandbox dies with it, and Temporal notices only through the missed heartbeats.
let stack: DeliveryStack;
const builders: SpawnedWorker[] = [];

beforeAll(async () => {
  stack = await startDeliveryStack({ inProcessBuilder: false });
});
afterAll(async () => {
  await Promise.allSettled(builders.map((b) => b.stop()));
  await stack?.close();
});

async function startBuilder(name: string): Promise<SpawnedWorker> {
  const builder = await spawnBuilder(stack.builderEnv, name);
  builders.push(builder);
  return builder;
}

/** Whether vite is running in this preview's workspace (its sandboxed process, seen from /proc). */
async function viteRunning(previewId: string): Promise<boolean> {
  const workspace = join(stack.buildsDir, 'workspaces', previewId);
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const [cwd, cmdline] = await Promise.all([readlink(`/proc/${pid}/cwd`).catch(() => ''), readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')]);
    if (cwd === workspace && cmdline.includes('vite.js')) return true;
  }
  return false;
}

it('goes live even when the builder building it is killed mid-build', { timeout: 420_000 }, async () => {
  const first = await startBuilder('builder-1');
  const { projectId } = await stack.newProject(slowBuildingApp('survivor', 6));
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.editor.token, body: {} });
  expect(res.status).toBe(202);
  const previewId: string = res.body.id;

  // Wait until vite is running (the `build` stage), then kill the builder outright.
  const deadline = Date.now() + 120_000;
  while (!(await viteRunning(previewId))) {
    if (Date.now() > deadline) throw new Error(`the build never started:\n${first.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await first.kill();

  const second = await startBuilder('builder-2');
  const preview = await stack.waitForPreview(previewId, previewEnded, 300_000);
  expect(preview.status, `${JSON.stringify(preview)}\n${second.log()}`).toBe('live');
  expect((await fetch(preview.url!)).status).toBe(200);

  // The build ran twice (the first attempt died with its builder), yet each stage was recorded once.
  const history = await stack.env.client.workflow.getHandle(`preview-${previewId}`).fetchHistory();
  const buildAttempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt === 2);
  expect(buildAttempts.length).toBeGreaterThanOrEqual(1);
  const topic = `/topics/preview:${previewId}/events`;
  const stages = ((await stack.app.call('GET', topic, { token: stack.roles.editor.token })).body.items as Array<{ type: string; data: { stage?: string } }>)
    .filter((e) => e.type === 'build.stage')
    .map((e) => e.data.stage);
  expect(stages).toEqual(['materialize', 'install', 'build']);

  expect((await stack.app.call('DELETE', `/previews/${previewId}`, { token: stack.roles.editor.token })).status).toBe(202);
  await stack.waitForPreview(previewId, (p) => p.status === 'destroyed');
});
