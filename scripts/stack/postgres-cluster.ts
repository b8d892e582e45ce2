import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { isAlive, spawnService, type ServiceProcess } from './service-process';

/** PostgreSQL's "fast" shutdown: it ends sessions instead of waiting for clients to leave. */
export const postgresStopSignal = 'SIGINT';

/** initdb and postgres: FORGE_PG_BIN, else the newest Debian /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir(): string {
  if (process.env.FORGE_PG_BIN) return process.env.FORGE_PG_BIN;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(debian, versions[0], 'bin');
  try {
    return dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('PostgreSQL is not installed: run `npm run setup` (it installs it from apt), or set FORGE_PG_BIN to the directory holding initdb and postgres.');
  }
}

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` user that Debian's package creates. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('Running as root needs a `postgres` system user to own the cluster (Debian\'s postgresql package creates it).');
  }
}

/**
 * Where the cluster's files live. Normally `dataDir` itself; but when root runs it from a checkout
 * the `postgres` user cannot reach (inside /root, say), the files go to a directory of their own
 * under postgres' home, and `dataDir` becomes a link to it.
 */
export function clusterDirectory(dataDir: string): string {
  const user = serverUser();
  const real = existsSync(dataDir) ? realpathSync(dataDir) : dataDir;
  if (user.uid === undefined || spawnSync('test', ['-x', dirname(real)], { ...user, cwd: '/' }).status === 0) return real;
  const home = existsSync('/var/lib/postgresql') ? '/var/lib/postgresql' : tmpdir();
  const clusters = join(home, 'forge-clusters');
  const outside = join(clusters, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  for (const dir of [clusters, outside]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, user.uid, user.gid!);
  }
  if (!existsSync(dataDir)) {
    mkdirSync(dirname(dataDir), { recursive: true });
    symlinkSync(outside, dataDir);
  }
  return outside;
}

/** The cluster running from `dataDir`, read from its postmaster.pid (pid on line 1, port on line 4). */
export function runningCluster(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && isAlive(pid) ? { pid, port } : undefined;
}

function initCluster(dataDir: string, bin: string, user: { uid?: number; gid?: number }): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
  // cwd: PostgreSQL's tools fail when they cannot read their working directory (as `postgres`).
  const result = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], {
    ...user,
    cwd: dataDir,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`initdb ${dataDir} failed (the postgres user needs access to every parent directory):\n${result.stderr || result.error}`);
  }
}

/** Creates the cluster on first use and starts it in the background; the caller waits for it. */
export function startCluster(dataDir: string, port: number, logFile?: string): ServiceProcess {
  const bin = postgresBinDir();
  const user = serverUser();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) initCluster(dataDir, bin, user);
  // Loopback only, a password for every connection (requirePassword), the socket inside the
  // cluster's own directory (mode 700), never the shared temporary directory. synchronous_commit=off
  // trades the last few milliseconds of commits on a crash for much faster tests; it never corrupts data.
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`,
    '-c', 'synchronous_commit=off', '-c', 'max_connections=200'];
  return spawnService('db', join(bin, 'postgres'), args, { ...user, cwd: dataDir, logFile, stopSignal: postgresStopSignal });
}

/** True once the server accepts queries (it accepts connections a little before that). */
export async function acceptsQueries(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const scramOnly = `# Written by scripts/stack/postgres-cluster.ts: every connection needs the password (scram-sha-256).
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
local replication all scram-sha-256
host replication all 127.0.0.1/32 scram-sha-256
`;

/**
 * Turns a cluster that still trusts local connections (initdb's, or one made before passwords)
 * into one that asks every connection for the password: sets it while trust still lets us in,
 * then rewrites pg_hba.conf and reloads. A no-op once done.
 */
export async function requirePassword(dataDir: string, port: number, password: string): Promise<void> {
  const hbaFile = join(dataDir, 'pg_hba.conf');
  const trusting = readFileSync(hbaFile, 'utf8').split('\n').some((line) => !line.trimStart().startsWith('#') && /\strust\s*$/.test(line));
  if (!trusting) return;
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', password });
  await client.connect();
  try {
    await client.query(`set password_encryption = 'scram-sha-256'`);
    await client.query(`alter user postgres password ${client.escapeLiteral(password)}`);
    writeFileSync(hbaFile, scramOnly); // an existing file keeps its owner (postgres, when root runs us)
    await client.query('select pg_reload_conf()');
  } finally {
    await client.end();
  }
}
