import { join } from 'node:path';
import pg from 'pg';
import { holdLease, markStartedByTests, releaseLease } from './leases';
import { localStack, logsDir, stackPorts } from './paths';
import { ensurePostgres } from './postgres';
import { migrateDatabase } from './postgres-databases';
import { postgresStopSignal } from './postgres-cluster';
import { ensureTemporal } from './temporal';

export interface SharedServers {
  /** The `postgres` database of the cluster: create and drop run databases through it. */
  adminUrl: string;
  temporalAddress: string;
  /** Drops this run's leases; the last run out stops a server that a run had to start. */
  release: () => Promise<void>;
}

/**
 * The real servers that test runs and benchmarks share: the environment's when
 * TEST_DATABASE_ADMIN_URL / TEMPORAL_ADDRESS name them, else this checkout's dev stack (.data/pg,
 * the Temporal dev server), reused when running and otherwise started in the background with logs
 * in .data/logs/, under a lease (leases.ts) so overlapping runs never stop them under each other.
 */
export async function provideSharedServers(): Promise<SharedServers> {
  const postgres = await provideSharedPostgres();
  const adminUrl = postgres.adminUrl;
  const leases: string[] = [];
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
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
  return {
    adminUrl,
    temporalAddress,
    release: async () => void (await Promise.all([...leases.map(releaseLease), postgres.release()])),
  };
}

/** The shared PostgreSQL alone, as provideSharedServers finds or starts it: for a bench that needs no Temporal. */
export async function provideSharedPostgres(): Promise<Pick<SharedServers, 'adminUrl' | 'release'>> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  if (adminUrl) return { adminUrl, release: async () => undefined };
  holdLease('postgres');
  const db = await ensurePostgres({ dataDir: localStack.pgDataDir, port: stackPorts.postgres, logFile: join(logsDir, 'postgres.log') });
  markStartedByTests('postgres', db, postgresStopSignal);
  return { adminUrl: db.url('postgres'), release: () => releaseLease('postgres') };
}

export interface RunDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A fresh database for one run (`<prefix>_<pid>_<time>`), migrated from empty, so runs never see
 * each other's rows; drop() removes it, cutting any connection a crashed child left behind.
 */
export async function createRunDatabase(adminUrl: string, prefix: string): Promise<RunDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(url.toString(), () => undefined);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
