import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { portVariables, temporalBinary } from './paths';
import { isPortAnswering, isPortFree, loopback, portTakenError } from './ports';
import { isAlive, spawnService, type Service } from './service-process';
import { registerSearchAttributes, startDevSearchAttributeFlags } from './temporal-search-attributes';
import { waitUntil } from './wait-until';

export interface EnsureTemporalOptions {
  port: number;
  uiPort: number;
  /** The dev server's SQLite file: workflows survive restarts. */
  dbFile: string;
  /** Names the process serving this checkout, so later runs know it is ours. */
  pidFile: string;
  /** Send the server's output to this file and let it outlive us (see spawnService). */
  logFile?: string;
}

export interface TemporalService extends Service {
  address: string;
  uiUrl: string;
}

/** The dev server named by the pid file, if that process still runs a Temporal server: pid and port. */
function ourServer(pidFile: string): { pid: number; port?: number } | undefined {
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (!(pid > 0) || !isAlive(pid)) return undefined;
  // A recycled pid must not pass for our server: check what the process runs, where /proc tells.
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return { pid };
  const args = readFileSync(cmdline, 'utf8').split('\0');
  if (!args.includes('start-dev')) return undefined;
  const flag = args.indexOf('--port');
  return { pid, port: flag >= 0 ? Number(args[flag + 1]) : 7233 };
}

/**
 * The Temporal CLI's dev server for this checkout (`.tools/bin/temporal server start-dev`, SQLite
 * file, Web UI, Forge's search attributes): reuses the running one, else starts it.
 */
export async function ensureTemporal(options: EnsureTemporalOptions): Promise<TemporalService> {
  const { port, uiPort, dbFile, pidFile } = options;
  const address = `${loopback}:${port}`;
  const running = ourServer(pidFile);
  if (running?.port !== undefined && running.port !== port) {
    throw new Error(`This checkout's Temporal server (pid ${running.pid}) listens on port ${running.port}, not ${port}: stop it or set ${portVariables.temporal}=${running.port}.`);
  }
  const runningPid = running?.pid;
  if (!runningPid) {
    if (!existsSync(temporalBinary)) throw new Error(`The Temporal CLI is missing at ${temporalBinary}: run \`npm run setup\`.`);
    if (!(await isPortFree(port))) throw portTakenError(port, 'Temporal', portVariables.temporal);
    if (!(await isPortFree(uiPort))) throw portTakenError(uiPort, 'Temporal UI', portVariables.temporalUi);
  }

  mkdirSync(dirname(dbFile), { recursive: true });
  const child = runningPid
    ? undefined
    : spawnService('temporal', temporalBinary, [
        'server', 'start-dev', '--ip', loopback, '--port', String(port), '--ui-port', String(uiPort),
        '--db-filename', dbFile, '--log-level', 'warn', ...startDevSearchAttributeFlags(),
        // Activities scheduled by a workflow task start on the same worker without a poll round trip:
        // measured 30-50 % less server CPU per codegen job (bench/codegen-throughput.ts).
        '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
        // One partition per task queue: with one worker per queue, more partitions only split its
        // polls and turn sync matches into stored tasks (server CPU and latency per task).
        '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
        '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
        // The SQLite file in WAL mode without a sync per commit: a crash of the machine may lose the
        // last moments of a dev server's state, never corrupt it; every event costs far less I/O.
        '--sqlite-pragma', 'journal_mode=wal',
        '--sqlite-pragma', 'synchronous=normal',
        // The Web UI fetches no news from the internet: the dev stack talks to loopback only.
        '--ui-disable-news-fetch',
      ], { logFile: options.logFile });
  if (child) writeFileSync(pidFile, `${child.pid}\n`);
  const stop = async () => {
    if (!child) return;
    await child.stop();
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid)) rmSync(pidFile);
  };

  try {
    await waitUntil(`Temporal on ${address}`, () => isPortAnswering(port), { failed: child?.exitReason });
    await registerSearchAttributes(address);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'temporal', reused: !child, pid: runningPid ?? child?.pid, exited: child?.exited, stop, address, uiUrl: `http://${loopback}:${uiPort}` };
}
