import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prefixLines } from './console-prefix';

/** A service of the dev stack, started by us or reused. */
export interface Service {
  name: string;
  /** An instance that was already running: stop() leaves it alone. */
  reused: boolean;
  pid: number | undefined;
  /** Resolves with the exit code of a process we started (absent for reused ones). */
  exited?: Promise<number>;
  /** Stops what this call started, and only that. */
  stop(): Promise<void>;
}

export interface SpawnServiceOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as another user (root starting PostgreSQL as `postgres`). */
  uid?: number;
  gid?: number;
  /**
   * Append the output to this file and let the process outlive us (test fixtures shared by
   * several runs). Without it the output goes to our console under a `[name]` prefix, and the
   * process is stopped when we exit.
   */
  logFile?: string;
  /** The signal asking for a clean shutdown. */
  stopSignal?: NodeJS.Signals;
}

export interface ServiceProcess {
  pid: number;
  exited: Promise<number>;
  /** Why the process is gone ("exited with code 1" plus its last output), or undefined while it runs. */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops a process group we started (here or in an earlier run): the polite signal first, SIGKILL
 * for whatever is left after `graceMs`. Each service runs in its own group, so helpers it forked
 * (tsx workers, build processes) go with it.
 */
export async function stopProcessGroup(pid: number, signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  signalGroup(pid, 'SIGKILL');
}

/** Starts a long-running program in its own process group. */
export function spawnService(name: string, command: string, args: string[], options: SpawnServiceOptions = {}): ServiceProcess {
  const { logFile, stopSignal = 'SIGTERM' } = options;
  let logFd: number | undefined;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, 'a');
  }
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);

  const recent: string[] = [];
  let exitCode: number | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      exitCode = 127;
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve(exitCode);
    });
  });

  const pid = child.pid ?? -1;
  if (logFile) {
    child.unref();
  } else {
    prefixLines(name, child.stdout!, recent);
    prefixLines(name, child.stderr!, recent);
    // Never leave a console child behind, even when we exit without a clean shutdown.
    const onExit = () => exitCode === undefined && signalGroup(pid, stopSignal);
    process.once('exit', onExit);
    void exited.then(() => process.off('exit', onExit));
  }

  const lastOutput = () => {
    const text = logFile ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : recent.join('\n');
    return text.trim() ? `\n--- last output of ${name} ---\n${text.trim()}` : '';
  };

  return {
    pid,
    exited,
    exitReason: () => {
      if (spawnError) return `${command} could not be started: ${spawnError.message}`;
      return exitCode === undefined ? undefined : `${name} exited with code ${exitCode}${lastOutput()}`;
    },
    stop: async () => {
      if (exitCode !== undefined || pid < 0) return;
      await stopProcessGroup(pid, stopSignal);
      await exited;
    },
  };
}
