import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/ports';
import { ensurePostgres, type PostgresService } from '../../scripts/stack/postgres';
import { startTestApp, type TestApp } from '../support/test-app';

// A throwaway cluster of its own (initdb into a temp dir, a free port), so stopping PostgreSQL
// here never disturbs the database the other suites share.
const dataDir = mkdtempSync(join(tmpdir(), 'forge-health-pg-'));
let cluster: PostgresService | undefined;
let app: TestApp | undefined;

afterAll(async () => {
  await app?.close().catch(() => {});
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 naming db once PostgreSQL stops, and 200 while it runs', async () => {
  cluster = await ensurePostgres({ dataDir, port: await freePort(), databases: ['forge'], logFile: join(dataDir, 'server.log') });
  expect(cluster.reused).toBe(false);
  app = await startTestApp({ DATABASE_URL: cluster.url('forge') });

  const up = await app.call('GET', '/health');
  expect(up.status).toBe(200);
  expect(up.body).toEqual({ status: 'ok', db: 'ok', temporal: 'ok' });

  await cluster.stop();
  const down = await app.call('GET', '/health');
  expect(down.status).toBe(503);
  expect(down.body).toEqual({ status: 'degraded', db: 'down', temporal: 'ok' });
}, 120_000);
