import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  cwd: string;
  /** The child's whole environment: nothing of the worker's (credentials, database URLs) leaks in. */
  env: Record<string, string>;
  /** Wall-clock limit; the whole process group is killed when it passes. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes kept per stream; the rest is read and dropped, so a flood cannot exhaust memory. */
  maxOutputBytes?: number;
}

export interface RunProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export class ProcessTimeoutError extends Error {
  constructor(command: string, timeoutMs: number) {
    super(`${command} did not finish within ${timeoutMs} ms`);
    this.name = 'ProcessTimeoutError';
  }
}

function outputBuffer(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (size >= limit) return void (truncated = true);
      const kept = chunk.subarray(0, limit - size);
      truncated ||= kept.length < chunk.length;
      chunks.push(kept);
      size += kept.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get truncated() { return truncated; },
  };
}

/**
 * Runs a build tool to completion and collects its output. The child leads its own process group
 * (`detached`), so a timeout or an abort kills it together with anything it started.
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<RunProcessResult> {
  const { signal, timeoutMs, maxOutputBytes = 2 * 1024 * 1024 } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = outputBuffer(maxOutputBytes);
    const stderr = outputBuffer(maxOutputBytes);
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);

    let stopReason: unknown;
    const stop = (reason: unknown) => {
      stopReason ??= reason;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone: the group exited between the decision and the kill.
      }
    };
    const timer = setTimeout(() => stop(new ProcessTimeoutError(command, timeoutMs)), timeoutMs);
    const onAbort = () => stop(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    child.on('error', (err) => settle(() => reject(err)));
    child.on('close', (exitCode) =>
      settle(() =>
        stopReason === undefined
          ? resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated })
          : reject(stopReason),
      ),
    );
  });
}
