import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../scripts/stack/paths';
import { typeCheck } from '../../activities/codegen/type-check';
import { generatedApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';
import { startModelServer, type ModelServer } from '../support/model-server';
import { spawnBuilder, type SpawnedWorker } from '../support/spawned-worker';
import { floodingApp, nonRegistryDependencyApp, probingApp } from './hostile-apps';
import { devEnvFile, devSecrets, leaked, processTreeEnvironments } from './secrets';

// Hostile tenants against the real stack: the API, an agents worker, a builder process started as
// `npm start` starts it (handed every secret, to prove it drops them), the dev Temporal server, the
// run's PostgreSQL and the offline model server. Each attack must come out harmless, and no secret
// value may appear in any log, event, diagnostic or preview response.

let stack: DeliveryStack;
let builder: SpawnedWorker;
let model: ModelServer;
const canaryLlmKey = `sk-canary-${'f'.repeat(32)}`;
let secrets: string[];
const outcomes: Array<{ attack: string; outcome: string }> = [];

beforeAll(async () => {
  stack = await startDeliveryStack({ inProcessBuilder: false });
  model = await startModelServer();
  secrets = [...devSecrets(), stack.encryptionKey, inject('databaseUrl'), canaryLlmKey];
  builder = await spawnBuilder({
    ...stack.builderEnv,
    DATABASE_URL: inject('databaseUrl'),
    ENCRYPTION_KEY: stack.encryptionKey,
    JWT_SECRET: devSecrets()[0]!,
    OPENAI_API_KEY: canaryLlmKey,
    OPENAI_BASE_URL: model.url,
  });
}, 180_000);
afterAll(async () => {
  await builder?.stop();
  await model?.close();
  await stack?.close();
  console.info(['| attack | outcome |', '| --- | --- |', ...outcomes.map((o) => `| ${o.attack} | ${o.outcome} |`)].join('\n'));
});

const token = () => stack.roles.editor.token;

/** Starts a preview of `files` and returns it settled, with every event of its topic. */
async function preview(files: Parameters<DeliveryStack['newProject']>[0]) {
  const { projectId } = await stack.newProject(files);
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: token(), body: {} });
  expect(res.status).toBe(202);
  const settled = await stack.waitForPreview(res.body.id, previewEnded, 240_000);
  const events = await stack.app.call('GET', `/topics/preview:${res.body.id}/events?afterSeq=0`, { token: token() });
  const raw = JSON.stringify(settled) + JSON.stringify(events.body);
  return { preview: settled, events: events.body.items as Array<{ type: string; data: Record<string, unknown> }>, raw };
}

const probe = (logs: string[], what: string) => logs.find((l) => l.startsWith(`PROBE ${what} `))?.slice(`PROBE ${what} `.length);

describe('a hostile build', () => {
  it('finds no secret in its environment, its parent, any process or the dev env file, and reaches no Forge service', { timeout: 300_000 }, async () => {
    const db = new URL(inject('databaseUrl'));
    const [, temporalPort] = stack.config.TEMPORAL_ADDRESS.split(':');
    const ports = { postgres: Number(db.port), temporal: Number(temporalPort), api: Number(new URL(stack.app.baseUrl).port), model: Number(new URL(model.url).port) };
    const outside = join(repoRoot, '.forge-pwned');
    const { preview: settled, raw } = await preview(probingApp({ devEnvFile, outside, ports }));
    expect(settled.status, raw.slice(0, 2000)).toBe('live');
    const logs = settled.logs;

    expect(leaked(raw, secrets)).toEqual([]);
    const env = JSON.parse(JSON.parse(probe(logs, 'env')!) as string) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(expect.arrayContaining(['HOME', 'PATH', 'TMPDIR']));
    for (const key of ['DATABASE_URL', 'ENCRYPTION_KEY', 'JWT_SECRET', 'OPENAI_API_KEY', 'TEMPORAL_ADDRESS']) expect(env).not.toHaveProperty(key);
    // Its own pid namespace: a handful of processes, none of Forge's.
    expect(JSON.parse(probe(logs, 'pids')!).split(',').length).toBeLessThan(10);
    expect(probe(logs, 'dev-env')).toBe('"ENOENT"');
    for (const service of Object.keys(ports)) expect(probe(logs, `net-${service}`), service).toMatch(/^"E[A-Z]+"$/);
    expect(logs.some((l) => l.includes('lifecycle-ran'))).toBe(false);
    expect(probe(logs, 'write-node_modules')).toBe('"EROFS"');
    // Refused; or, for a checkout under /tmp, written into the sandbox's own private /tmp (the host never sees it: below).
    expect(probe(logs, 'write-outside')).toMatch(repoRoot.startsWith('/tmp/') ? /^"(E(ROFS|NOENT|ACCES)|WROTE)"$/ : /^"E(ROFS|NOENT|ACCES)"$/);
    expect(existsSync(outside)).toBe(false);
    outcomes.push(
      { attack: 'vite.config.ts prints process.env, /proc/<ppid>/environ, every /proc/*/environ', outcome: 'scrubbed env, own pid namespace: no secret' },
      { attack: 'vite.config.ts reads .data/dev.env', outcome: 'ENOENT (not in the sandbox)' },
      { attack: 'build connects to PostgreSQL, Temporal, the API, the model server', outcome: Object.keys(ports).map((s) => `${s} ${JSON.parse(probe(logs, `net-${s}`)!)}`).join(', ') },
      { attack: 'app lifecycle scripts (preinstall, postinstall, prebuild)', outcome: 'never run' },
      { attack: 'build writes into the shared dependency set and outside its workspace', outcome: `${JSON.parse(probe(logs, 'write-node_modules')!)}, ${JSON.parse(probe(logs, 'write-outside')!)}` },
    );
  });

  it('cannot install anything but registry versions: file, git and link specs are refused by name', { timeout: 120_000 }, async () => {
    const { preview: settled, raw } = await preview(nonRegistryDependencyApp(dirname(devEnvFile)));
    expect(settled.status).toBe('failed');
    expect(settled.error).toMatchObject({ code: 'build_failed' });
    for (const name of ['evil@', 'evil-git@', 'evil-link@']) expect(settled.error!.message).toContain(name);
    expect(leaked(raw, secrets)).toEqual([]);
    outcomes.push({ attack: 'dependency with an install script via file:/git/link specs', outcome: `refused: ${settled.error!.code}` });
  });

  it('prints NUL, invalid UTF-8 and 50 MB of text: stored safely and capped, the preview goes live', { timeout: 300_000 }, async () => {
    const { preview: settled, events, raw } = await preview(floodingApp());
    expect(settled.status, raw.slice(0, 1000)).toBe('live');
    expect((await fetch(settled.url!)).status).toBe(200);
    const stored = JSON.stringify(settled.logs);
    expect(stored.length).toBeLessThan(600 * 1024);
    expect(stored).not.toContain('\\u0000');
    expect(settled.logs.find((l) => l.startsWith('NUL:'))).toMatch(/^NUL:\ufffd \ufffd\ufffd\ufffd\(/);
    expect(settled.logs).toContain('FLOOD-END \ufffd done');
    expect(settled.logs.some((l) => l.includes('earlier lines not kept'))).toBe(true);
    expect(events.some((e) => e.type === 'build.stage')).toBe(true);
    outcomes.push({ attack: 'build output: NUL, invalid UTF-8, 50 MB', outcome: `live; log stored as ${Math.round(stored.length / 1024)} KiB, NUL/invalid bytes as U+FFFD` });
  });

  it('tsconfig.json and sources naming the dev env file or /proc/self/environ get diagnostics, never contents', { timeout: 120_000 }, async () => {
    const files = Object.fromEntries(generatedApp('tsconfig').map((f) => [f.path, f.content]));
    const viaTsconfig = await typeCheck({ ...files, 'tsconfig.json': JSON.stringify({ extends: devEnvFile, include: ['src', '/proc/self/environ'], files: ['../../../.data/dev.env'] }) });
    expect(viaTsconfig.ok).toBe(false);
    expect(viaTsconfig.diagnostics.every((d) => d.file === 'tsconfig.json')).toBe(true);
    const viaSource = await typeCheck({ ...files, 'src/leak.ts': `/// <reference path="${devEnvFile}" />\n/// <reference path="/proc/self/environ" />\nexport {};\n` });
    expect(leaked(JSON.stringify([viaTsconfig, viaSource]), secrets)).toEqual([]);
    outcomes.push({ attack: 'tsconfig.json extends/include the dev env file, /proc/self/environ; triple-slash references', outcome: `refused (${viaTsconfig.diagnostics.length} diagnostics); references see no file: no secret` });
  });
});

describe('the builder process', () => {
  it('holds no secret in its environment, though it was handed every one', async () => {
    const tree = await processTreeEnvironments(builder.pid);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    for (const { pid, env } of tree) {
      for (const key of ['DATABASE_URL', 'ENCRYPTION_KEY', 'JWT_SECRET', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) expect(env, `pid ${pid}`).not.toHaveProperty(key);
      expect(leaked(JSON.stringify(env), secrets), `pid ${pid}`).toEqual([]);
    }
    expect(leaked(builder.log(), secrets)).toEqual([]);
    outcomes.push({ attack: 'builder environment (started with every secret)', outcome: `${tree.length} processes, none holds a secret` });
  });
});
