import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel build). */
const ticksPerSecond = 100;

interface ProcessTicks {
  self: number;
  /** Children that exited and were waited for (tsc runs). */
  children: number;
}

function ownTicks(pid: number): ProcessTicks & { ppid: number } {
  try {
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
    return { self: utime + stime, children: cutime + cstime, ppid: Number(fields[1]) };
  } catch {
    return { self: 0, children: 0, ppid: 0 };
  }
}

/**
 * A process and every live descendant (the builder is a node process under bwrap, its type checks
 * children of that node): a descendant reaped meanwhile is in its parent's `children`.
 */
function treeTicks(root: number): ProcessTicks {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).map((pid) => ({ pid, ...ownTicks(pid) }));
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.add(p.pid); grew = true; }
  }
  const members = all.filter((p) => tree.has(p.pid));
  return { self: members.reduce((sum, p) => sum + p.self, 0), children: members.reduce((sum, p) => sum + p.children, 0) };
}

function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuUsage {
  /** Share of all cores busy during the phase, whoever used them. */
  machineBusyPct: number;
  /** CPU seconds per process, and of its waited-for children (`worker children`). */
  seconds: Record<string, number>;
  /**
   * Every core's busy time during the phase, in CPU seconds. It sees what `seconds` cannot: tsc runs in
   * bwrap's PID namespace and is reaped there, so a type check's CPU reaches no parent's `children`.
   */
  machineSeconds: number;
}

/** `usage` whose machine figure leaves out what `others` used meanwhile (processes idle in this phase, not its path's). */
export const excluding = (usage: CpuUsage, others: CpuUsage): CpuUsage => ({
  ...usage,
  machineSeconds: usage.machineSeconds - Object.values(others.seconds).reduce((a, b) => a + b, 0),
});

/**
 * CPU time of the named processes over one phase, from /proc: what each path costs, which stays
 * comparable when other work on the machine stretches wall times. Shared servers (Temporal) count
 * everyone's work done meanwhile.
 */
export function measureCpu(pids: Record<string, number>, options: { trees?: readonly string[] } = {}) {
  // `trees`: the names measured with their descendants (not the bench itself, the parent of every service).
  const processTicks = (name: string, pid: number) => (options.trees?.includes(name) ? treeTicks(pid) : ownTicks(pid));
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(name, pid)]));
  const machineBefore = machineTicks();
  return {
    stop(): CpuUsage {
      const machine = machineTicks();
      const seconds: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = processTicks(name, pid);
        seconds[name] = (now.self - before[name]!.self) / ticksPerSecond;
        const children = (now.children - before[name]!.children) / ticksPerSecond;
        if (children > 0) seconds[`${name} children`] = children;
      }
      const total = machine.total - machineBefore.total;
      const busy = machine.busy - machineBefore.busy;
      return { machineBusyPct: Math.round((100 * busy) / Math.max(1, total)), seconds, machineSeconds: busy / ticksPerSecond };
    },
  };
}

/**
 * Waits until a shared server (the Temporal dev server) has been quiet for a second: under
 * `maxBusyPct` of one core. A namespace that an earlier run deleted keeps the dev server deleting
 * its workflows for minutes at 10-60 % of a core, which a measurement would bill to this run.
 * Gives up after `timeoutMs`: the answer says how busy the server still was.
 */
export async function waitUntilQuiet(pid: number, { maxBusyPct = 10, timeoutMs = 180_000 } = {}): Promise<{ waitedMs: number; busyPct: number }> {
  const started = Date.now();
  for (;;) {
    const before = ownTicks(pid).self;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const busyPct = (100 * (ownTicks(pid).self - before)) / ticksPerSecond;
    const waitedMs = Date.now() - started;
    if (busyPct < maxBusyPct || waitedMs >= timeoutMs) return { waitedMs, busyPct };
  }
}
