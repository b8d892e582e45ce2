import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failLocalRowsWithoutBuild } from '../../activities/deployments/restore-local-servers';
import { restartHaltedServers } from '../../activities/builds/restart-halted-servers';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { haltAllServers, stopServer, type ServerHost } from '../../activities/providers/local-server-process';
import { Deployment, Preview } from '../../db/entities/index';
import { initOrm, type MikroORM } from '../../db/orm';
import { deploymentResourceName, previewResourceName } from '../../domain/providers';
import { repoRoot, stackPorts } from '../../scripts/stack/paths';
import { freePort, isPortAnswering } from '../../scripts/stack/ports';
import { isAlive } from '../../scripts/stack/service-process';
import { distFixture } from '../support/dist-fixture';

// "A clean stop" (issue 11): Ctrl-C of `npm start` leaves no process it started, the local
// provider's detached preview servers included; the next worker restarts every `live` one or
// marks it failed, so no row says live while its URL is dead.
const scratch = mkdtempSync(join(tmpdir(), 'forge-clean-stop-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every process below `root` in the process table (children, grandchildren, ...). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = (() => { try { return readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { return ''; } })();
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const found: number[] = [];
  const walk = (pid: number) => { for (const [child, parent] of parents) if (parent === pid) { found.push(child); walk(child); } };
  walk(root);
  return found;
}

/** What still runs of `pids` (zombies count as gone), by command line, so a failure says what leaked. */
const running = (pids: number[]) =>
  pids.filter((pid) => isAlive(pid) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))).map((pid) => `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);

const answers = async (url: string) => (await fetch(url).catch(() => null))?.status === 200;

describe('npm start stops everything it started', () => {
  it.skipIf(process.env.TEMPORAL_ADDRESS || process.env.TEST_DATABASE_ADMIN_URL)('SIGTERM leaves no process behind, preview servers included', async () => {
    const buildsDir = join(scratch, 'stack-builds');
    const [api, model] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(api), MODEL_PORT: String(model), BUILDS_DIR: buildsDir, FORGE_KEEP_PREVIEWS: '' };
    const start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [start.stdout, start.stderr]) stream.on('data', (chunk) => { output += chunk; });
    const exited = once(start, 'exit');
    try {
      for (const deadline = Date.now() + 150_000; !output.includes('Forge is running'); ) {
        if (start.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // A preview server as the worker's local provider leaves it: detached, in the stack's builds dir.
      const preview = await createLocalProvider({ dir: join(buildsDir, 'local-servers'), sandbox: 'none', memoryMb: 64 })
        .start({ resource: previewResourceName(randomUUID()), projectId: randomUUID(), artifactDir: await distFixture('clean-stop') });
      expect(await answers(preview.url)).toBe(true);
      const started = [...descendants(start.pid!), Number(preview.data.pid)];
      expect(started.length).toBeGreaterThanOrEqual(4); // model, api, worker, the preview server

      start.kill('SIGTERM');
      const [code] = await exited;
      expect(code, output).toBe(0);
      expect(running(started)).toEqual([]);
      expect(await answers(preview.url)).toBe(false);
      expect(await isPortAnswering(api)).toBe(false);
      expect(await isPortAnswering(model)).toBe(false);
      expect(output).toContain('stopped 1 local preview/deployment server(s)');
      // The servers it reused (this checkout's PostgreSQL and Temporal, shared with the tests) stay up.
      expect(await isPortAnswering(stackPorts.postgres)).toBe(true);
      expect(await isPortAnswering(stackPorts.temporal)).toBe(true);
    } finally {
      // A failed assertion must not leave the stack behind: the same clean stop, awaited.
      if (start.exitCode === null) {
        start.kill('SIGTERM');
        await exited;
      }
    }
  }, 240_000);
});

describe('the next worker restores local servers', () => {
  let orm: MikroORM;
  beforeAll(async () => { orm = await initOrm(inject('databaseUrl')); });
  afterAll(async () => { await orm?.close(); });

  it('restarts live previews and deployments on their URL, and fails those whose build is gone', async () => {
    const host: ServerHost = { dir: join(scratch, 'local-servers'), sandbox: 'none', memoryMb: 64 };
    const provider = createLocalProvider(host);
    const em = orm.em.fork();
    const row = { organizationId: randomUUID(), projectId: randomUUID(), version: 1, provider: 'local' as const, status: 'live' as const, logTail: [] };
    const live = async (entity: typeof Preview | typeof Deployment, resource: (id: string) => string, marker: string) => {
      const id = randomUUID();
      const ref = await provider.start({ resource: resource(id), projectId: randomUUID(), artifactDir: await distFixture(marker) });
      const extra = entity === Preview ? { ttlSeconds: 600 } : { requestedBy: randomUUID() };
      em.create(entity as typeof Preview, { id, ...row, ...extra, url: ref.url, providerRef: ref } as never);
      return { id, ref };
    };
    const kept = await live(Preview, previewResourceName, 'kept-preview');
    const deployed = await live(Deployment, deploymentResourceName, 'kept-deploy');
    const gone = await live(Preview, previewResourceName, 'gone');
    await em.flush();

    // The stack stops: servers halted, state kept; one build is deleted meanwhile.
    await haltAllServers(host);
    rmSync(gone.ref.data.root!, { recursive: true, force: true });
    expect(await answers(kept.ref.url)).toBe(false);

    try {
      // The builder restarts what it can; the agents worker fails the rows it cannot.
      expect((await restartHaltedServers(host)).restarted.sort()).toEqual([kept.ref.resource, deployed.ref.resource].sort());
      // The run's database is shared: other suites' rows may be failed alongside; these three are what this test owns.
      const failed = await failLocalRowsWithoutBuild(orm);
      expect(failed).toContain(gone.ref.resource);
      expect(failed).not.toContain(kept.ref.resource);
      expect(failed).not.toContain(deployed.ref.resource);
      const read = orm.em.fork();
      const [keptRow, deployedRow, goneRow] = [await read.findOneOrFail(Preview, kept.id), await read.findOneOrFail(Deployment, deployed.id), await read.findOneOrFail(Preview, gone.id)];
      // Same port, so the URL users hold keeps working.
      expect(keptRow).toMatchObject({ status: 'live', url: kept.ref.url });
      expect(deployedRow).toMatchObject({ status: 'live', url: deployed.ref.url });
      expect(await (await fetch(`${kept.ref.url}assets/app.js`)).text()).toContain('kept-preview');
      expect(await answers(deployed.ref.url)).toBe(true);
      expect(goneRow).toMatchObject({ status: 'failed', error: { code: 'server_gone' } });

      // Running again changes nothing.
      expect(await restartHaltedServers(host)).toEqual({ restarted: [], gone: [] });
      expect(await failLocalRowsWithoutBuild(orm)).not.toContain(gone.ref.resource);
    } finally {
      for (const { ref } of [kept, deployed, gone]) await stopServer(host, ref.resource);
    }
    expect(existsSync(join(host.dir, `${kept.ref.resource}.json`))).toBe(false);
  }, 60_000);
});
