import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRuntimeDir, scrubbedEnv } from '../activities/builds/sandbox-policy';
import { runSandboxed } from '../activities/builds/sandboxed-run';

/**
 * What a builder proves at startup, before it polls: one confined process (bubblewrap, no
 * network, nothing but the Node runtime and a scratch directory) runs and reports a pid namespace
 * of its own. docker-compose's builder service depends on this working (security_opt), and
 * test/unit/docker-compose.test.ts runs the service's own command to see this line.
 */
export async function sandboxSelfCheck(): Promise<{ ok: boolean; detail: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-sandbox-check-'));
  const lines: string[] = [];
  try {
    const result = await runSandboxed({
      label: 'sandbox self-check',
      command: process.execPath,
      args: ['-e', 'console.log(`confined pid ${process.pid}`)'],
      confinement: { writable: [dir], readOnly: [nodeRuntimeDir()], tmpDir: dir, network: 'none', dieWithParent: true },
      limits: { cpuSeconds: 10, memoryMb: 256, timeoutMs: 15_000 },
      sandbox: 'bwrap',
      env: scrubbedEnv('bwrap', dir),
      onLine: (line) => lines.push(line),
    });
    // In a pid namespace of its own, the sandboxed node is one of its first processes.
    const pid = Number(/confined pid (\d+)/.exec(lines.join('\n'))?.[1]);
    const ok = result.exitCode === 0 && pid > 0 && pid < 10;
    return { ok, detail: ok ? `a confined process ran (bwrap, own pid namespace, no network)` : `exit ${result.exitCode}: ${lines.join(' ').slice(0, 500)}` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
