import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { confinedArgv, nodeRuntimeDir, scrubbedEnv } from '../builds/sandbox-policy';

const serverScript = fileURLToPath(new URL('./local-static-server.ts', import.meta.url));
/** A static server needs little CPU; the limit only stops one spinning for a whole day. */
const SERVER_CPU_SECONDS = 24 * 3600;
const READY_WITHIN_MS = 10_000;

export interface ServerState {
  resource: string;
  pid: number;
  port: number;
  root: string;
}

export interface ServerHost {
  /** Holds `<resource>.json` (state) and `<resource>.log` per server. */
  dir: string;
  sandbox: 'bwrap' | 'none';
  memoryMb: number;
}

type HostDir = Pick<ServerHost, 'dir'>;

const statePath = (host: HostDir, resource: string) => join(host.dir, `${resource}.json`);
export const logPath = (host: ServerHost, resource: string) => join(host.dir, `${resource}.log`);

export async function readState(host: HostDir, resource: string): Promise<ServerState | null> {
  const text = await readFile(statePath(host, resource), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as ServerState) : null;
}

export async function listStates(host: HostDir): Promise<string[]> {
  const names = await readdir(host.dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
}

/** Alive and still ours: pids are reused, so the command line must still name the resource. */
export async function isServing(state: ServerState): Promise<boolean> {
  const [cmdline, stat] = await Promise.all([
    readFile(`/proc/${state.pid}/cmdline`, 'utf8').catch(() => ''),
    readFile(`/proc/${state.pid}/stat`, 'utf8').catch(() => ''),
  ]);
  const zombie = / Z /.test(stat.slice(stat.lastIndexOf(')')));
  return !zombie && cmdline.split('\0').includes(state.resource);
}

/**
 * Starts a confined server for `root` that outlives this worker (detached, its own session, no
 * die-with-parent): a preview stays up while workers restart, and its state file lets any later
 * activity stop it. The port is ephemeral (or `port`, when a restart asks for the one its URL
 * names and it is free): the server prints it and we read it from its log.
 */
export async function spawnServer(host: ServerHost, resource: string, root: string, port = 0): Promise<ServerState> {
  const binDir = join(host.dir, 'bin');
  const tmpDir = join(host.dir, 'tmp', resource);
  await Promise.all([mkdir(binDir, { recursive: true }), mkdir(tmpDir, { recursive: true })]);
  // A copy, so the sandbox sees this one file rather than Forge's source tree.
  const script = join(binDir, 'local-static-server.ts');
  await copyFile(serverScript, script);
  const confinement = { writable: [], readOnly: [nodeRuntimeDir(), binDir, root], tmpDir, network: 'host' as const, dieWithParent: false };
  const limits = { cpuSeconds: SERVER_CPU_SECONDS, memoryMb: host.memoryMb };
  const [bin, ...args] = confinedArgv(host.sandbox, confinement, limits, process.execPath, [`--max-old-space-size=${host.memoryMb}`, script, root, resource, String(port)]);
  const log = openSync(logPath(host, resource), 'w');
  try {
    const child = spawn(bin!, args, { cwd: tmpDir, env: scrubbedEnv(host.sandbox, tmpDir), detached: true, stdio: ['ignore', log, log] });
    child.unref();
    const listening = await waitForPort(host, resource, () => child.exitCode !== null || child.signalCode !== null);
    const state = { resource, pid: child.pid!, port: listening, root };
    await writeFile(statePath(host, resource), JSON.stringify(state));
    return state;
  } finally {
    closeSync(log);
  }
}

async function waitForPort(host: ServerHost, resource: string, exited: () => boolean): Promise<number> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const text = await readFile(logPath(host, resource), 'utf8').catch(() => '');
    const port = /listening on (\d+)/.exec(text)?.[1];
    if (port) return Number(port);
    if (exited() || Date.now() > deadline) {
      const tail = text.trim().split('\n').slice(-20).join('\n');
      throw new Error(`The preview server for ${resource} did not start${exited() ? ' (it exited)' : ' within 10 s'}: ${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Stops a server's whole process group (TERM, then KILL) but keeps its state file: a stack that
 * stops (`npm start`'s Ctrl-C) halts its servers, and the next worker on this host restarts them
 * from that file (restore-local-servers.ts).
 */
export async function haltServer(host: HostDir, resource: string): Promise<void> {
  const state = await readState(host, resource);
  if (!state || !(await isServing(state))) return;
  signalGroup(state.pid, 'SIGTERM');
  for (let waited = 0; waited < 2_000 && (await isServing(state)); waited += 50) await new Promise((r) => setTimeout(r, 50));
  signalGroup(state.pid, 'SIGKILL');
}

/** Halts every server of this host (npm start's clean stop); returns their resources. */
export async function haltAllServers(host: HostDir): Promise<string[]> {
  const resources = await listStates(host);
  await Promise.all(resources.map((resource) => haltServer(host, resource)));
  return resources;
}

/** Stops a server (haltServer) and forgets it. Missing is fine. */
export async function stopServer(host: ServerHost, resource: string, keepLog = false): Promise<void> {
  await haltServer(host, resource);
  await rm(statePath(host, resource), { force: true });
  await rm(join(host.dir, 'tmp', resource), { recursive: true, force: true });
  if (!keepLog) await rm(logPath(host, resource), { force: true });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
