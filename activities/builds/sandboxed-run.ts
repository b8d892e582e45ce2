import { spawn } from 'node:child_process';
import { confinedArgv, type Confinement, type Limits } from './sandbox-policy';
import { readLines } from './line-reader';
import { processTreeUsage } from './process-tree-usage';

export type LimitKind = 'cpu' | 'memory' | 'wall-clock';

/** A run that went over one of its limits; the message says which and by how much. */
export class LimitExceededError extends Error {
  constructor(
    readonly limit: LimitKind,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceededError';
  }
}

export interface SandboxedRun {
  /** How messages name the run: `vite build`, `npm install`. */
  label: string;
  command: string;
  args: readonly string[];
  /** Also the working directory: the first writable path. */
  confinement: Confinement;
  limits: Limits & { timeoutMs: number };
  sandbox: 'bwrap' | 'none';
  /** The child's complete environment (scrubbedEnv). */
  env: Record<string, string>;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export interface SandboxedResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  peakRssMb: number;
  cpuSeconds: number;
  durationMs: number;
}

const SAMPLE_MS = 200;

/**
 * Runs one confined command to completion, streaming its output line by line. A watchdog samples
 * the whole process tree and kills it (process group, SIGKILL) at the first limit passed, so a
 * runaway build fails with a sentence instead of starving the builder.
 */
export function runSandboxed(run: SandboxedRun): Promise<SandboxedResult> {
  const { limits, signal } = run;
  signal?.throwIfAborted();
  const [bin, ...argv] = confinedArgv(run.sandbox, run.confinement, limits, run.command, run.args);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, argv, { cwd: run.confinement.writable[0], env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) readLines(stream, run.onLine);

    let stopReason: Error | undefined;
    let peakRssMb = 0;
    let cpuSeconds = 0;
    const stop = (reason: Error) => {
      stopReason ??= reason;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group already exited.
      }
    };
    const watchdog = setInterval(async () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      const usage = await processTreeUsage(child.pid);
      peakRssMb = Math.max(peakRssMb, usage.rssMb);
      cpuSeconds = Math.max(cpuSeconds, usage.cpuSeconds);
      if (usage.rssMb > limits.memoryMb) {
        stop(new LimitExceededError('memory', `${run.label} used ${Math.round(usage.rssMb)} MiB, over its memory limit of ${limits.memoryMb} MiB`));
      } else if (usage.cpuSeconds > limits.cpuSeconds) {
        stop(new LimitExceededError('cpu', `${run.label} used ${usage.cpuSeconds.toFixed(1)} s of CPU, over its limit of ${limits.cpuSeconds} s`));
      }
    }, SAMPLE_MS);
    const timer = setTimeout(
      () => stop(new LimitExceededError('wall-clock', `${run.label} did not finish within its wall-clock limit of ${Math.round(limits.timeoutMs / 1000)} s`)),
      limits.timeoutMs,
    );
    const onAbort = () => stop(signal!.reason instanceof Error ? signal!.reason : new Error('Cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    child.on('error', (err) => settle(() => reject(err)));
    child.on('close', (exitCode, exitSignal) =>
      settle(() => {
        if (stopReason) return reject(stopReason);
        // The per-process rlimit backstop: the kernel sends SIGXCPU (or SIGKILL at the hard limit).
        if (exitSignal === 'SIGXCPU') return reject(new LimitExceededError('cpu', `${run.label} went over its CPU time limit of ${limits.cpuSeconds} s`));
        resolve({ exitCode, signal: exitSignal, peakRssMb, cpuSeconds, durationMs: Date.now() - started });
      }),
    );
  });
}
