import { readdir, readFile } from 'node:fs/promises';

const PAGE_BYTES = 4096;
const CLOCK_TICKS = 100;

export interface TreeUsage {
  /** Resident memory of every live process in the tree. */
  rssMb: number;
  /** CPU time of the tree: live processes plus the children they have reaped. */
  cpuSeconds: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

async function readStat(pid: string): Promise<ProcStat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return { pid: Number(pid), ppid: num(4), cpuTicks: num(14) + num(15) + num(16) + num(17), rssPages: num(24) };
  } catch {
    return null; // exited while we looked
  }
}

/**
 * Memory and CPU of a process and all its descendants, from /proc (Linux). rlimits are per
 * process and a build is a tree (npm, node, esbuild/rolldown threads and workers), so the limits
 * that matter are enforced on this sum.
 */
export async function processTreeUsage(rootPid: number): Promise<TreeUsage> {
  const stats = (await Promise.all((await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(readStat))).filter((s) => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let rssPages = 0;
  let cpuTicks = 0;
  const root = stats.find((s) => s.pid === rootPid);
  const queue = root ? [root] : [];
  for (let next = queue.pop(); next; next = queue.pop()) {
    rssPages += next.rssPages;
    cpuTicks += next.cpuTicks;
    queue.push(...(children.get(next.pid) ?? []));
  }
  return { rssMb: (rssPages * PAGE_BYTES) / (1024 * 1024), cpuSeconds: cpuTicks / CLOCK_TICKS };
}
