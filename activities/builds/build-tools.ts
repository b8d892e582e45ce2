import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { nodeRuntimeDir, scrubbedEnv, type Limits } from './sandbox-policy';
import { runSandboxed, type SandboxedResult } from './sandboxed-run';

/** How build tools run on this builder: confinement kind, limits, and where their temp dirs go. */
export interface BuildSandbox {
  kind: 'bwrap' | 'none';
  limits: Limits & { timeoutMs: number };
  tmpRoot: string;
  npmCache: string;
}

export interface ToolRun {
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export interface ToolSpec {
  label: string;
  /** Defaults to Forge's own Node runtime. */
  command?: string;
  cwd: string;
  args: string[];
  readOnly: string[];
  writable?: string[];
  network: 'none' | 'host';
  env?: Record<string, string>;
}

/** One confined run with a temp directory of its own, removed afterwards. */
export async function runTool(
  sandbox: BuildSandbox,
  spec: ToolSpec,
  run: ToolRun,
): Promise<SandboxedResult> {
  const tmpDir = join(sandbox.tmpRoot, randomUUID());
  // bwrap binds only paths that exist.
  await Promise.all([tmpDir, ...(spec.writable ?? [])].map((dir) => mkdir(dir, { recursive: true })));
  try {
    return await runSandboxed({
      label: spec.label,
      command: spec.command ?? process.execPath,
      args: spec.args,
      confinement: {
        writable: [spec.cwd, ...(spec.writable ?? [])],
        readOnly: [nodeRuntimeDir(), ...spec.readOnly],
        tmpDir,
        network: spec.network,
        dieWithParent: true,
      },
      limits: sandbox.limits,
      sandbox: sandbox.kind,
      env: scrubbedEnv(sandbox.kind, tmpDir, spec.env),
      onLine: run.onLine,
      signal: run.signal,
    });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

let npmCliPath: string | undefined;
/** npm's CLI script (what `npm` on PATH links to), run with Forge's own Node inside the sandbox. */
function npmCli(): string {
  if (npmCliPath) return npmCliPath;
  const dirs = [dirname(process.execPath), ...(process.env.PATH ?? '').split(delimiter)];
  const found = dirs.map((dir) => join(dir, 'npm')).find(existsSync);
  if (!found) throw new Error('npm was not found on PATH: it is needed to install a dependency set that is not cached');
  return (npmCliPath = realpathSync(found));
}

const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/**
 * npm trusts the machine's CA store (bound read-only into the sandbox), not only Node's bundled
 * one: hosts behind a TLS-inspecting proxy install its CA there, as the worker's own npm config does.
 */
const systemCaBundle = (): Record<string, string> => (existsSync(SYSTEM_CA_BUNDLE) ? { npm_config_cafile: SYSTEM_CA_BUNDLE } : {});

/**
 * `npm install` of a dependency set into `dir`: lifecycle scripts off (no package runs code at
 * install time), registry reachable (the only step that may be), npm's download cache shared.
 */
export const npmInstall = (sandbox: BuildSandbox, dir: string, run: ToolRun) =>
  runTool(
    sandbox,
    {
      label: 'npm install',
      cwd: dir,
      args: [npmCli(), 'install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      readOnly: [dirname(dirname(npmCli()))],
      writable: [sandbox.npmCache],
      network: 'host',
      env: { npm_config_cache: sandbox.npmCache, npm_config_update_notifier: 'false', ...systemCaBundle() },
    },
    run,
  );

/**
 * `vite build` of the workspace into `dist/`, with no network. `--configLoader runner` loads an
 * app's vite.config without writing a bundled copy into node_modules, which is read-only here.
 */
export const viteBuild = (sandbox: BuildSandbox, workspace: string, nodeModules: string, run: ToolRun) =>
  runTool(
    sandbox,
    {
      label: 'vite build',
      cwd: workspace,
      args: [join(nodeModules, 'vite', 'bin', 'vite.js'), 'build', '--configLoader', 'runner', '--outDir', 'dist', '--emptyOutDir'],
      readOnly: [dirname(nodeModules)],
      network: 'none',
      env: { NODE_ENV: 'production' },
    },
    run,
  );
