import { say } from './console-prefix';
import { devPgPassword } from './dev-password';
import { postgresUrl, portVariables } from './paths';
import { isPortFree, portTakenError } from './ports';
import { acceptsQueries, clusterDirectory, requirePassword, runningCluster, startCluster } from './postgres-cluster';
import { createDatabases, migrateDatabase } from './postgres-databases';
import type { Service } from './service-process';
import { waitUntil } from './wait-until';

export interface EnsurePostgresOptions {
  /** The cluster's directory; created with initdb on first use. */
  dataDir: string;
  port: number;
  /** Databases to create when missing. */
  databases?: string[];
  /** Databases to bring up to the checked-in migrations. */
  migrate?: string[];
  /** The `postgres` user's password (default: the dev one, .data/dev.env). */
  password?: string;
  /** Send the server's output to this file and let it outlive us (see spawnService). */
  logFile?: string;
}

export interface PostgresService extends Service {
  url(database: string): string;
}

/**
 * A PostgreSQL cluster from `dataDir` answering on `port`: reuses it when that cluster already
 * runs (its postmaster.pid says so, whoever started it), else starts it. Fails with a clear message
 * when the port belongs to anything else.
 */
export async function ensurePostgres(options: EnsurePostgresOptions): Promise<PostgresService> {
  const { port, databases = ['forge', 'forge_test'], migrate = [] } = options;
  const dataDir = clusterDirectory(options.dataDir);
  const password = options.password ?? devPgPassword();
  const url = (database: string) => postgresUrl(port, database, password);
  const running = runningCluster(dataDir);
  if (running && running.port !== port) {
    throw new Error(`The cluster in ${dataDir} already runs on port ${running.port}, not ${port}: stop it or set ${portVariables.postgres}=${running.port}.`);
  }
  if (!running && !(await isPortFree(port))) throw portTakenError(port, 'PostgreSQL', portVariables.postgres);

  const child = running ? undefined : startCluster(dataDir, port, options.logFile);
  try {
    await waitUntil(`PostgreSQL on port ${port}`, () => acceptsQueries(url('postgres')), { timeoutMs: 30_000, failed: child?.exitReason });
    await requirePassword(dataDir, port, password);
    await createDatabases(url('postgres'), databases);
    await Promise.all(migrate.map((database) => migrateDatabase(url(database), (line) => say('db', `${database}: ${line}`))));
  } catch (error) {
    await child?.stop();
    throw error;
  }
  return {
    name: 'db',
    reused: !child,
    pid: running?.pid ?? child?.pid,
    exited: child?.exited,
    stop: async () => child?.stop(),
    url,
  };
}
