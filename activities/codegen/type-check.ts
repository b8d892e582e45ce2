import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeCheckResult } from '../../domain/type-check';
import { runTool, type BuildSandbox } from '../builds/build-tools';
import { resolveSandbox } from '../builds/sandbox-policy';
import { LimitExceededError } from '../builds/sandboxed-run';
import { createCheckWorkspace } from './check-workspace';
import { defaultCheckDepsDir, nativeTscPath } from './check-toolchain';
import { ProcessTimeoutError } from './run-process';
import { tsconfigProblems } from './tsconfig-guard';
import { parseTscDiagnostics } from './tsc-diagnostics';

export interface TypeCheckOptions {
  signal?: AbortSignal;
  /** Wall-clock limit for tsc; a real app checks in well under a second once the cache is warm. */
  timeoutMs?: number;
  /** The provisioned toolchain (scripts/provision-check-deps.sh). */
  depsDir?: string;
  /** Where the throwaway workspace is made (default: the OS temp dir). */
  workspaceRoot?: string;
  /** The sandbox tsc runs in; default: bubblewrap (required) with the build defaults. */
  sandbox?: BuildSandbox;
}

/** Kept per check: diagnostics beyond this are noise to the fix loop, and a flood cannot exhaust memory. */
const MAX_OUTPUT_LINES = 5_000;

const defaultSandbox = (timeoutMs: number): BuildSandbox => ({
  kind: resolveSandbox('bwrap').kind,
  limits: { cpuSeconds: 120, memoryMb: 2048, timeoutMs },
  tmpRoot: join(tmpdir(), 'forge-check-tmp'),
  npmCache: join(tmpdir(), 'forge-check-tmp', 'npm-cache'),
});

/**
 * Type-checks a generated app (`tsc --noEmit -p .`, TypeScript 7) in a throwaway directory, inside
 * the build sandbox: no network, no view of anything but the workspace, the toolchain and system
 * directories, a scrubbed environment. A tsconfig naming files outside the workspace is refused
 * before tsc runs (tsconfig-guard.ts). Diagnostics are a result, not a failure: the fix loop feeds
 * them back to the model. It throws only when the check itself could not run: bad paths
 * (invalid_input), a timeout, an abort, or tsc failing without diagnostics.
 */
export async function typeCheck(files: Readonly<Record<string, string>>, options: TypeCheckOptions = {}): Promise<TypeCheckResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const depsDir = options.depsDir ?? defaultCheckDepsDir;
  const tsc = nativeTscPath(depsDir);
  const refused = tsconfigProblems(files['tsconfig.json']);
  if (refused.length > 0) return { ok: false, diagnostics: refused, durationMs: Math.round(performance.now() - started) };
  const sandbox = { ...(options.sandbox ?? defaultSandbox(timeoutMs)) };
  sandbox.limits = { ...sandbox.limits, timeoutMs };
  const workspace = await createCheckWorkspace(files, depsDir, options.workspaceRoot);
  const lines: string[] = [];
  try {
    const run = await runTool(
      sandbox,
      { label: 'tsc', command: tsc, cwd: workspace.dir, args: ['--noEmit', '-p', '.', '--pretty', 'false'], readOnly: [depsDir], network: 'none' },
      { onLine: (line) => void (lines.length < MAX_OUTPUT_LINES && lines.push(line)), signal: options.signal },
    ).catch((err: unknown) => {
      if (err instanceof LimitExceededError && err.limit === 'wall-clock') throw new ProcessTimeoutError('tsc', timeoutMs);
      throw err;
    });
    const output = lines.join('\n');
    const diagnostics = parseTscDiagnostics(output);
    if (run.exitCode !== 0 && diagnostics.length === 0) {
      throw new Error(`tsc exited with ${run.exitCode ?? run.signal ?? 'a signal'} and no diagnostics: ${output.slice(0, 2000)}`);
    }
    return { ok: run.exitCode === 0, diagnostics, durationMs: Math.round(performance.now() - started) };
  } finally {
    await workspace.dispose();
  }
}
