import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * How generated code is confined. Builds and preview servers run the user's code (vite plugins,
 * npm packages, the app itself), so they never get Forge's privileges: a scrubbed environment,
 * their own temp directory, resource limits, and under bubblewrap only the directories they need.
 */
export type SandboxMode = 'auto' | 'bwrap' | 'none';

export interface Confinement {
  /** Host paths visible read-write (the workspace, the run's temp directory). */
  writable: string[];
  /** Host paths visible read-only (the Node runtime, the dependency cache, a build to serve). */
  readOnly: string[];
  /** Bound at /tmp inside bubblewrap; TMPDIR without it. */
  tmpDir: string;
  /** npm install needs the registry; a build or a server does not get to reach out (servers listen on the host's loopback). */
  network: 'none' | 'host';
  /** Kill the sandbox with the worker (builds), or let it outlive it (preview servers). */
  dieWithParent: boolean;
}

export interface Limits {
  cpuSeconds: number;
  memoryMb: number;
}

let probed: { available: boolean; reason: string } | undefined;

/** Whether bubblewrap is installed and allowed to create namespaces here (checked once per process). */
export function bwrapStatus(): { available: boolean; reason: string } {
  if (probed) return probed;
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--', '/bin/true'], { stdio: 'ignore', timeout: 5_000 });
    probed = { available: true, reason: 'bwrap works' };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    probed = { available: false, reason: missing ? 'bwrap is not installed (Debian package bubblewrap)' : 'bwrap cannot create namespaces here' };
  }
  return probed;
}

/**
 * No sandbox where one was required: a build fails with this (type `sandbox_unavailable`) rather
 * than run tenant code unconfined. The message names the fix.
 */
export class SandboxUnavailableError extends Error {
  constructor(reason: string) {
    super(
      `Builds need bubblewrap and it is not usable here: ${reason}. Install it (Debian/Ubuntu: apt-get install bubblewrap) ` +
        'and allow unprivileged user namespaces (in a container: security_opt seccomp=unconfined and apparmor=unconfined); ' +
        'only an operator may opt out, with BUILD_SANDBOX=none outside production',
    );
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * The sandbox every build and preview server of this builder runs in. Never degrades silently:
 * `bwrap` (and its old name `auto`) insists, `none` is an operator's explicit choice, refused in
 * production and carried as a warning that every build logs.
 */
export function resolveSandbox(
  mode: SandboxMode,
  nodeEnv: string = 'development',
  status: () => { available: boolean; reason: string } = bwrapStatus,
): { kind: 'bwrap' | 'none'; warning: string | null } {
  if (mode === 'none') {
    if (nodeEnv === 'production') throw new Error('BUILD_SANDBOX=none is refused in production: tenant code must run inside bubblewrap');
    return { kind: 'none', warning: 'BUILD_SANDBOX=none: this build runs tenant code WITHOUT a sandbox (only a scrubbed environment and limits)' };
  }
  const probe = status();
  if (!probe.available) throw new SandboxUnavailableError(probe.reason);
  return { kind: 'bwrap', warning: null };
}

/** System directories a dynamically linked tool needs; symlinks (merged /usr) are recreated, not followed. */
const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32'];
const systemFiles = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/ssl', '/etc/ca-certificates', '/etc/passwd', '/etc/group'];

function bwrapArgs(c: Confinement): string[] {
  const args: string[] = [];
  for (const dir of systemDirs.filter(existsSync)) {
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const file of systemFiles.filter(existsSync)) args.push('--ro-bind', file, file);
  args.push('--proc', '/proc', '--dev', '/dev', '--bind', c.tmpDir, '/tmp');
  for (const path of c.readOnly) args.push('--ro-bind', path, path);
  for (const path of c.writable) args.push('--bind', path, path);
  // The root is bwrap's own tmpfs, holding the mount points it made (/work, /home/...): read-only,
  // so tenant code writes only its workspace and /tmp, not even a throwaway file beside them.
  args.push('--remount-ro', '/');
  args.push('--unshare-all');
  if (c.network === 'host') args.push('--share-net');
  if (c.dieWithParent) args.push('--die-with-parent');
  return args;
}

/**
 * The argv that runs `command` confined: `bwrap ... -- sh -c 'ulimit ...; exec "$@"'`. The rlimits
 * are per process backstops (CPU seconds; data segment, which Node needs about 1 GiB of just to
 * reserve its heap); the real memory limit is the watchdog over the whole process tree.
 */
export function confinedArgv(kind: 'bwrap' | 'none', c: Confinement, limits: Limits, command: string, args: readonly string[]): string[] {
  const dataKb = (limits.memoryMb + 1024) * 1024;
  const limited = ['/bin/sh', '-c', `ulimit -t ${limits.cpuSeconds + 5} && ulimit -d ${dataKb} && exec "$@"`, 'sh', command, ...args];
  return kind === 'bwrap' ? ['bwrap', ...bwrapArgs(c), '--chdir', c.writable[0] ?? '/tmp', '--', ...limited] : limited;
}

/**
 * The child's whole environment: nothing of the worker's (database URL, ENCRYPTION_KEY, tokens).
 * PATH has the Node runtime first so `node` and npm's scripts resolve to the one Forge runs on.
 */
export function scrubbedEnv(kind: 'bwrap' | 'none', tmpDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const tmp = kind === 'bwrap' ? '/tmp' : tmpDir;
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: tmp,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    CI: '1',
    // Logs are read as text (events, the API), not on a terminal.
    NO_COLOR: '1',
    ...extra,
  };
}

/** Where the Node runtime lives, so the sandbox can see it (read-only). */
export const nodeRuntimeDir = () => dirname(dirname(process.execPath));
