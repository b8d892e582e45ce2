import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localStack, stackPorts } from '../../scripts/stack/paths';
import { freePort, isPortAnswering } from '../../scripts/stack/ports';
import { ensurePostgres, type PostgresService } from '../../scripts/stack/postgres';
import { ensureTemporal } from '../../scripts/stack/temporal';

// The provisioning behind `npm start`, `npm run db` and the test fixtures: reuse what this
// checkout already runs, start what is missing, refuse ports that belong to someone else.
const scratch = mkdtempSync(join(tmpdir(), 'forge-dev-stack-'));
const started: PostgresService[] = [];

afterAll(async () => {
  for (const service of started) await service.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Something that is not ours, holding a port. */
async function squat(): Promise<{ port: number; close: () => void }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

describe('ensurePostgres', () => {
  it('starts a new cluster once, then reuses it, and stop() of a reuse leaves it running', async () => {
    const port = await freePort();
    const options = { dataDir: join(scratch, 'pg'), port, databases: ['forge', 'forge_test'], logFile: join(scratch, 'pg.log') };
    const first = await ensurePostgres(options);
    started.push(first);
    expect(first.reused).toBe(false);

    const second = await ensurePostgres(options);
    expect(second).toMatchObject({ reused: true, pid: first.pid });
    await second.stop();
    expect(await isPortAnswering(port)).toBe(true);

    await expect(ensurePostgres({ ...options, port: port + 1 })).rejects.toThrow(`already runs on port ${port}, not ${port + 1}`);
    await first.stop();
    expect(await isPortAnswering(port)).toBe(false);
  }, 120_000);

  it('refuses a port that another program holds, naming the variable that moves it', async () => {
    const squatter = await squat();
    try {
      await expect(ensurePostgres({ dataDir: join(scratch, 'never'), port: squatter.port })).rejects.toThrow(
        new RegExp(`Port ${squatter.port} \\(PostgreSQL\\) is taken by .*FORGE_PG_PORT=<port>`),
      );
    } finally {
      squatter.close();
    }
  });
});

describe('ensureTemporal', () => {
  const options = { port: stackPorts.temporal, uiPort: stackPorts.temporalUi, dbFile: localStack.temporalDbFile, pidFile: localStack.temporalPidFile };

  // The suites run on this checkout's dev server unless TEMPORAL_ADDRESS names another one.
  it.skipIf(process.env.TEMPORAL_ADDRESS)("reuses this checkout's running dev server and leaves it running", async () => {
    const temporal = await ensureTemporal(options);
    expect(temporal.reused).toBe(true);
    await temporal.stop();
    expect(await isPortAnswering(stackPorts.temporal)).toBe(true);
  });

  it('refuses a port that another program holds', async () => {
    const squatter = await squat();
    try {
      const pidFile = join(scratch, 'temporal.pid');
      await expect(ensureTemporal({ ...options, port: squatter.port, pidFile })).rejects.toThrow(
        new RegExp(`Port ${squatter.port} \\(Temporal\\) is taken by .*FORGE_TEMPORAL_PORT=<port>`),
      );
    } finally {
      squatter.close();
    }
  });
});
