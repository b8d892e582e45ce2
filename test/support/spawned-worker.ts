import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { builderLaunch } from '../../scripts/stack/builder-launch';
import { serviceLaunch } from '../../scripts/stack/compiled-entry';
import { repoRoot } from '../../scripts/stack/paths';
import { isAlive, spawnService } from '../../scripts/stack/service-process';
import { waitUntil } from '../../scripts/stack/wait-until';

/** A real `worker/main.ts` process, as production runs it, that a test can SIGKILL. */
export interface SpawnedWorker {
  /** The process started (bwrap's, when a builder runs wrapped). */
  pid: number;
  /** Everything it logged so far. */
  log: () => string;
  /** SIGKILL to the whole process group: no drain, no goodbye to the server, as a crashed host. */
  kill: () => Promise<void>;
  /** The graceful path (SIGTERM), for cleanup. */
  stop: () => Promise<void>;
}

/**
 * Starts the worker from its compiled entry (what `npm run worker` runs) with `env` and waits for
 * its "worker polling" log line. Logs go to a temporary file, read for readiness (and quoted by the
 * error when the worker exits while starting).
 */
export function spawnWorker(env: Record<string, string>, name = 'worker'): Promise<SpawnedWorker> {
  // Only what it is given (nothing of the developer's environment); info: the readiness line's level.
  const full = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', TEMPORAL_NAMESPACE: inject('temporalNamespace'), ...env };
  return serviceLaunch('worker/main.ts').then((launch) => spawnProcess(name, { ...launch, env: full }, 'worker polling'));
}

/**
 * Starts a builder exactly as `npm start` does (scripts/stack/builder-launch.ts): from `env` only
 * its allowlisted variables, `.data/` hidden. Pass it secrets to check that it drops them.
 */
export function spawnBuilder(env: Record<string, string>, name = 'builder'): Promise<SpawnedWorker> {
  const launch = builderLaunch({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', TEMPORAL_NAMESPACE: inject('temporalNamespace'), ...env }, repoRoot);
  return spawnProcess(name, launch, 'builder polling');
}

async function spawnProcess(name: string, launch: { command: string; args: string[]; env: Record<string, string> }, ready: string): Promise<SpawnedWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'forge-worker-'));
  const logFile = join(dir, `${name}.log`);
  const child = spawnService(name, launch.command, launch.args, { cwd: repoRoot, env: launch.env, logFile });
  // With a log file the child outlives us by design; a test that dies must not leave it polling.
  const killGroup = () => isAlive(child.pid) && process.kill(-child.pid, 'SIGKILL');
  process.once('exit', killGroup);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const done = async (stop: () => Promise<unknown>) => {
    await stop();
    process.off('exit', killGroup);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`${name} polling`, async () => log().includes(`"msg":"${ready}"`), { timeoutMs: 120_000, failed: child.exitReason });
  } catch (error) {
    await done(async () => killGroup());
    throw error;
  }
  return {
    pid: child.pid,
    log,
    kill: () => done(async () => {
      killGroup();
      await child.exited;
    }),
    stop: () => done(child.stop),
  };
}
