import { readFileSync, writeFileSync } from 'node:fs';

const sampleEveryMs = 100;

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM), or undefined once the process is gone. */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Peak resident memory of each named process over one phase: VmRSS sampled every 100 ms, and the
 * kernel's own high-water mark (VmHWM), reset at the start of the phase where /proc allows it
 * (clear_refs 5), so a spike between two samples still counts. Children (tsc) are not included.
 */
export function sampleRss(pids: Record<string, number>) {
  const resetHwm = Object.fromEntries(Object.entries(pids).map(([name, pid]) => {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      return [name, true];
    } catch {
      return [name, false];
    }
  }));
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name]!, statusMiB(pid, 'VmRSS') ?? 0);
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  return {
    /** Peak MiB per process since the sampler started. */
    stop(): Record<string, number> {
      clearInterval(timer);
      sample();
      for (const [name, pid] of Object.entries(pids)) {
        if (resetHwm[name]) peak[name] = Math.max(peak[name]!, statusMiB(pid, 'VmHWM') ?? 0);
      }
      return Object.fromEntries(Object.entries(peak).map(([name, mib]) => [name, Math.round(mib)]));
    },
  };
}
