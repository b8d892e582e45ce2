import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slowBuildingApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';

// A real worker process, killed with SIGKILL in the middle of a build: nothing drains, the build's
// sandbox dies with it, and Temporal notices only through the missed heartbeats.
let stack: DeliveryStack;
const workers: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
  stack = await startDeliveryStack({ inProcessWorkers: false });
});
afterAll(async () => {
  for (const worker of workers.filter((w) => w.exitCode === null && w.signalCode === null)) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await stack?.close();
});

function startWorkerProcess(): ChildProcess {
  const { config } = stack;
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: config.DATABASE_URL,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE_PREFIX: config.TEMPORAL_TASK_QUEUE_PREFIX,
    WORKER_SHUTDOWN_GRACE_MS: '0',
    BUILDS_DIR: config.BUILDS_DIR,
    BUILD_TOOLCHAIN_DIR: config.BUILD_TOOLCHAIN_DIR,
    ENCRYPTION_KEY: stack.encryptionKey,
  };
  const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  workers.push(worker);
  return worker;
}

it('goes live even when the worker building it is killed mid-build', { timeout: 420_000 }, async () => {
  const first = startWorkerProcess();
  const { projectId } = await stack.newProject(slowBuildingApp('survivor', 6));
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.editor.token, body: {} });
  expect(res.status).toBe(202);
  const previewId: string = res.body.id;

  // Wait until vite is running (the `build` stage), then kill the worker outright.
  const topic = `/topics/preview:${previewId}/events`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const items = (await stack.app.call('GET', topic, { token: stack.roles.editor.token })).body.items as Array<{ type: string; data: { stage?: string } }>;
    if (items.some((e) => e.type === 'build.stage' && e.data.stage === 'build')) break;
    if (Date.now() > deadline) throw new Error(`the build never started:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  first.kill('SIGKILL');
  await once(first, 'exit');

  startWorkerProcess();
  const preview = await stack.waitForPreview(previewId, previewEnded, 300_000);
  expect(preview.status, `${JSON.stringify(preview)}\n${output.join('')}`).toBe('live');
  expect((await fetch(preview.url!)).status).toBe(200);

  // The build ran twice (the first attempt died with its worker), yet each stage was recorded once.
  const history = await stack.env.client.workflow.getHandle(`preview-${previewId}`).fetchHistory();
  const buildAttempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt === 2);
  expect(buildAttempts.length).toBeGreaterThanOrEqual(1);
  const stages = ((await stack.app.call('GET', topic, { token: stack.roles.editor.token })).body.items as Array<{ type: string; data: { stage?: string } }>)
    .filter((e) => e.type === 'build.stage')
    .map((e) => e.data.stage);
  expect(stages).toEqual(['materialize', 'install', 'build']);

  expect((await stack.app.call('DELETE', `/previews/${previewId}`, { token: stack.roles.editor.token })).status).toBe(202);
  await stack.waitForPreview(previewId, (p) => p.status === 'destroyed');
});
