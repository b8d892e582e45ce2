import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { initOrm, migrate } from '../../db/orm';
import { holdLease, markStartedByTests, releaseLease } from '../../scripts/stack/leases';
import { localStack, logsDir, stackPorts } from '../../scripts/stack/paths';
import { ensurePostgres } from '../../scripts/stack/postgres';
import { postgresStopSignal } from '../../scripts/stack/postgres-cluster';
import { ensureTemporal } from '../../scripts/stack/temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    temporalAddress: string;
  }
}

/**
 * The real servers the suites run against: the environment's when TEST_DATABASE_ADMIN_URL /
 * TEMPORAL_ADDRESS name them, else this checkout's dev stack (.data/pg, the Temporal dev server),
 * reused when running and otherwise started in the background with logs in .data/logs/.
 */
async function provideServers(): Promise<{ adminUrl: string; temporalAddress: string; release: () => Promise<void> }> {
  const leases: string[] = [];
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!adminUrl) {
    holdLease('postgres');
    leases.push('postgres');
    const db = await ensurePostgres({ dataDir: localStack.pgDataDir, port: stackPorts.postgres, logFile: join(logsDir, 'postgres.log') });
    markStartedByTests('postgres', db, postgresStopSignal);
    adminUrl = db.url('postgres');
  }
  if (!temporalAddress) {
    holdLease('temporal');
    leases.push('temporal');
    const temporal = await ensureTemporal({
      port: stackPorts.temporal,
      uiPort: stackPorts.temporalUi,
      dbFile: localStack.temporalDbFile,
      pidFile: localStack.temporalPidFile,
      logFile: join(logsDir, 'temporal.log'),
    });
    markStartedByTests('temporal', temporal, 'SIGTERM');
    temporalAddress = temporal.address;
  }
  return { adminUrl, temporalAddress, release: async () => void (await Promise.all(leases.map(releaseLease))) };
}

/**
 * One fresh database per test run, migrated from empty and dropped at the end, so runs never
 * see each other's rows and a second run starts clean.
 */
export default async function setup(project: TestProject) {
  const servers = await provideServers();
  const adminUrl = servers.adminUrl;
  const databaseUrl = (name: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };

  const name = `forge_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const orm = await initOrm(databaseUrl(name));
  await migrate(orm);
  await orm.close();

  project.provide('databaseUrl', databaseUrl(name));
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('temporalAddress', servers.temporalAddress);

  return async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await servers.release();
  };
}
