// `npm start`: the whole development stack in one terminal. PostgreSQL and Temporal are reused
// when this checkout's instances already run (`npm run db`, `npm run temporal`), else started; the
// offline model server runs unless an LLM endpoint is configured; then the API, a worker and a builder.
// Every line is prefixed with its service; Ctrl-C or SIGTERM stops everything this run started.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { say } from './stack/console-prefix';
import { localStack, portVariables, repoRoot, stackPorts, maskedUrl } from './stack/paths';
import { isPortAnswering, isPortFree, loopback, portTakenError } from './stack/ports';
import { localServersService } from './stack/local-servers';
import { ensurePostgres } from './stack/postgres';
import { spawnService, type Service } from './stack/service-process';
import { Supervisor } from './stack/supervisor';
import { ensureTemporal } from './stack/temporal';
import { waitUntil } from './stack/wait-until';
import { builderLaunch } from './stack/builder-launch';
import { serviceLaunch } from './stack/compiled-entry';

const supervisor = new Supervisor('start');

/**
 * A TypeScript entry point of this repo as a supervised child, in its own process group: the API
 * and the worker from their compiled module (scripts/stack/compiled-entry.ts), scripts through tsx.
 */
async function startNodeService(name: string, entry: string, env: NodeJS.ProcessEnv, compiled = false): Promise<Service & { exitReason: () => string | undefined }> {
  const launch = compiled ? await serviceLaunch(entry) : { command: process.execPath, args: ['--import', 'tsx', entry] };
  const child = spawnService(name, launch.command, launch.args, { cwd: repoRoot, env });
  return { name, reused: false, pid: child.pid, exited: child.exited, stop: child.stop, exitReason: child.exitReason };
}

await supervisor.run(async () => {
  const apiUrl = `http://${loopback}:${stackPorts.api}/api/v1`;
  // Check the app's own ports first: failing after the servers came up would waste a minute.
  if (!(await isPortFree(stackPorts.api))) throw portTakenError(stackPorts.api, 'API', portVariables.api);

  // No LLM endpoint configured: serve the offline model (it needs nothing else, so it starts first)
  // and point the OpenAI client at it.
  const llm: NodeJS.ProcessEnv = {};
  const offlineModel = !process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL && existsSync(join(repoRoot, 'scripts/model.ts'));
  if (offlineModel && !(await isPortFree(stackPorts.model))) throw portTakenError(stackPorts.model, 'offline model server', portVariables.model);
  const model = offlineModel ? await startNodeService('model', 'scripts/model.ts', { ...process.env, MODEL_PORT: String(stackPorts.model) }) : undefined;
  if (model) {
    supervisor.add(model);
    Object.assign(llm, { OPENAI_BASE_URL: `http://${loopback}:${stackPorts.model}/v1`, OPENAI_API_KEY: 'offline' });
  }

  // Both servers start at once; one that came up joins the supervisor even when the other failed.
  const [dbStart, temporalStart] = await Promise.allSettled([
    ensurePostgres({ dataDir: localStack.pgDataDir, port: stackPorts.postgres, migrate: ['forge', 'forge_test'] }),
    ensureTemporal({ port: stackPorts.temporal, uiPort: stackPorts.temporalUi, dbFile: localStack.temporalDbFile, pidFile: localStack.temporalPidFile }),
  ]);
  for (const result of [dbStart, temporalStart]) if (result.status === 'fulfilled') supervisor.add(result.value);
  if (dbStart.status === 'rejected') throw dbStart.reason;
  if (temporalStart.status === 'rejected') throw temporalStart.reason;
  const [db, temporal] = [dbStart.value, temporalStart.value];
  if (db.reused) say('db', `reusing the running cluster (pid ${db.pid})`);
  if (temporal.reused) say('temporal', `reusing the running dev server (pid ${temporal.pid})`);
  if (model) await waitUntil('the offline model server', () => isPortAnswering(stackPorts.model), { timeoutMs: 30_000, failed: model.exitReason });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...llm,
    PORT: String(stackPorts.api),
    DATABASE_URL: db.url('forge'),
    TEMPORAL_ADDRESS: `${loopback}:${stackPorts.temporal}`,
  };
  // Stopped after the worker (which could still be starting one) and before the servers.
  supervisor.add(localServersService(process.env));
  const [api, worker] = await Promise.all([startNodeService('api', 'api/main.ts', env, true), startNodeService('worker', 'worker/main.ts', env, true)]);
  // The builder gets none of the secrets above: an allowlisted environment, .data/ hidden (scripts/stack/builder-launch.ts).
  const launch = builderLaunch(env, repoRoot);
  const builderChild = spawnService('builder', launch.command, launch.args, { cwd: repoRoot, env: launch.env });
  supervisor.add(api, worker, { name: 'builder', reused: false, pid: builderChild.pid, exited: builderChild.exited, stop: builderChild.stop });
  // Any HTTP answer (even a 503 while the worker connects) means the API is serving.
  await waitUntil('the API', async () => (await fetch(`${apiUrl}/health`)).status > 0, { timeoutMs: 60_000, failed: api.exitReason });

  say('start', [
    `Forge is running (ready in ${process.uptime().toFixed(1)} s):`,
    `  API          ${apiUrl}`,
    `  OpenAPI      ${apiUrl}/openapi.json`,
    `  Temporal UI  ${temporal.uiUrl}`,
    `  PostgreSQL   ${maskedUrl(db.url('forge'))} (password in .data/dev.env)`,
    `  LLM          ${model ? `${llm.OPENAI_BASE_URL} (offline model server)` : (process.env.OPENAI_BASE_URL ?? 'api.openai.com')}`,
    'Press Ctrl-C to stop.',
  ].join('\n'));
});
