import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel build). */
const ticksPerSecond = 100;

interface ProcessTicks {
  self: number;
  /** Children that exited and were waited for (tsc runs). */
  children: number;
}

function processTicks(pid: number): ProcessTicks {
  try {
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
    return { self: utime + stime, children: cutime + cstime };
  } catch {
    return { self: 0, children: 0 };
  }
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
}

/**
 * CPU time of the named processes over one phase, from /proc: what each path costs, which stays
 * comparable when other work on the machine stretches wall times. Shared servers (Temporal) count
 * everyone's work done meanwhile.
 */
export function measureCpu(pids: Record<string, number>) {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(pid)]));
  const machineBefore = machineTicks();
  return {
    stop(): CpuUsage {
      const machine = machineTicks();
      const seconds: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = processTicks(pid);
        seconds[name] = (now.self - before[name]!.self) / ticksPerSecond;
        const children = (now.children - before[name]!.children) / ticksPerSecond;
        if (children > 0) seconds[`${name} children`] = children;
      }
      const total = machine.total - machineBefore.total;
      return { machineBusyPct: Math.round((100 * (machine.busy - machineBefore.busy)) / Math.max(1, total)), seconds };
    },
  };
}
