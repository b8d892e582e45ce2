import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/ports';
import { ensureTemporal, type EnsureTemporalOptions, type TemporalService } from '../../scripts/stack/temporal';
import { waitUntil } from '../../scripts/stack/wait-until';
import { isTerminal, startCodegenStack, type CodegenStack } from '../support/codegen-stack';

/**
 * The Temporal server goes away mid-job and comes back on the same database file (what a restart
 * of the dev server, or a rolling restart of a cluster, looks like to Forge). The API and the
 * workers reconnect on their own and the job finishes with one version.
 */

const dir = mkdtempSync(join(tmpdir(), 'forge-temporal-'));
let server: EnsureTemporalOptions;
let temporal: TemporalService | undefined;
let stack: CodegenStack;

beforeAll(async () => {
  // A server of this test's own: stopping the run's shared one would break every other suite.
  server = { port: await freePort(), uiPort: await freePort(), dbFile: join(dir, 'temporal.db'), pidFile: join(dir, 'temporal.pid'), logFile: join(dir, 'temporal.log') };
  temporal = await ensureTemporal(server);
  stack = await startCodegenStack({ tokenDelayMs: 8, temporalAddress: temporal.address });
});
afterAll(async () => {
  await stack?.close();
  await temporal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('finishes a job when the Temporal server restarts during generation', async () => {
  const projectId = await stack.newProject();
  const sessionId = await stack.startSession(projectId, { generateConcurrency: 1 });
  const queued = await stack.send(sessionId, 'Build a todo app where I can add and remove tasks');
  const generating = await stack.waitForJob(queued.id, (j) => j.stage === 'generate' || isTerminal(j));
  expect(generating.stage).toBe('generate');
  await waitUntil('a second file in the works', async () => (stack.model.requests().byRole.coder ?? 0) >= 2, { intervalMs: 20, timeoutMs: 30_000 });

  const stoppedAt = Date.now();
  await temporal!.stop();
  temporal = undefined;
  temporal = await ensureTemporal(server);
  const restartedAt = Date.now();

  const job = await stack.waitForJob(queued.id, isTerminal, 80_000);
  console.info(`server down for ${restartedAt - stoppedAt} ms; job finished ${Date.now() - restartedAt} ms after the restart`);
  expect(job.error).toBeNull();
  expect(job.status).toBe('completed');
  expect(job.resultVersion).toBe(1);
  const versions = await stack.app.call('GET', `/projects/${projectId}/versions`, { token: stack.roles.viewer.token });
  expect(versions.body.items.map((v: { number: number }) => v.number)).toEqual([1]);
  // Finished calls were not made again. The one in flight may be: if the server comes back after its
  // heartbeat timeout (llmCall), it counts as lost and is retried.
  const calls = stack.model.requests().byRole;
  expect(calls).toMatchObject({ router: 1, planner: 1 });
  expect(calls.coder).toBeGreaterThanOrEqual(job.plan!.files.length);
  expect(calls.coder).toBeLessThanOrEqual(job.plan!.files.length + 1);

  // The API's client reconnected too: the next message goes through the restarted server as an update.
  const next = await stack.send(sessionId, 'What files does my app have?');
  expect((await stack.waitForJob(next.id)).status).toBe('completed');
}, 150_000);
