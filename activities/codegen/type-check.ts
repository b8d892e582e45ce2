import { tmpdir } from 'node:os';
import type { TypeCheckResult } from '../../domain/type-check';
import { createCheckWorkspace } from './check-workspace';
import { defaultCheckDepsDir, nativeTscPath } from './check-toolchain';
import { runProcess } from './run-process';
import { parseTscDiagnostics } from './tsc-diagnostics';

export interface TypeCheckOptions {
  signal?: AbortSignal;
  /** Wall-clock limit for tsc; a real app checks in well under a second once the cache is warm. */
  timeoutMs?: number;
  /** The provisioned toolchain (scripts/provision-check-deps.sh). */
  depsDir?: string;
  /** Where the throwaway workspace is made (default: the OS temp dir). */
  workspaceRoot?: string;
}

/**
 * Type-checks a generated app (`tsc --noEmit -p .`, TypeScript 7) in a throwaway directory.
 * Diagnostics are a result, not a failure: the fix loop feeds them back to the model. It throws
 * only when the check itself could not run: bad paths (invalid_input), a timeout, an abort, or
 * tsc failing without diagnostics.
 */
export async function typeCheck(files: Readonly<Record<string, string>>, options: TypeCheckOptions = {}): Promise<TypeCheckResult> {
  const started = performance.now();
  const depsDir = options.depsDir ?? defaultCheckDepsDir;
  const tsc = nativeTscPath(depsDir);
  const workspace = await createCheckWorkspace(files, depsDir, options.workspaceRoot);
  try {
    const run = await runProcess(tsc, ['--noEmit', '-p', '.', '--pretty', 'false'], {
      cwd: workspace.dir,
      // Generated code is untrusted: tsc sees no credentials and no home of the worker's.
      env: { PATH: '/usr/bin:/bin', HOME: workspace.dir, TMPDIR: tmpdir() },
      timeoutMs: options.timeoutMs ?? 60_000,
      signal: options.signal,
    });
    const diagnostics = parseTscDiagnostics(run.stdout);
    if (run.exitCode !== 0 && diagnostics.length === 0) {
      throw new Error(`tsc exited with ${run.exitCode ?? 'a signal'} and no diagnostics: ${(run.stderr || run.stdout).slice(0, 2000)}`);
    }
    return { ok: run.exitCode === 0, diagnostics, durationMs: Math.round(performance.now() - started) };
  } finally {
    await workspace.dispose();
  }
}
