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
  cpuTicks: number;
  rssPages: number;
}

async function readStat(pid: number): Promise<ProcStat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return { cpuTicks: num(14) + num(15) + num(16) + num(17), rssPages: num(24) };
  } catch {
    return null; // exited while we looked
  }
}

/** A process's live children, from each of its threads' `children` list (any thread may have forked). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const lists = await Promise.all((await readdir(`/proc/${pid}/task`)).map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')));
    return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
  } catch {
    return []; // exited while we looked
  }
}

/**
 * Memory and CPU of a process and all its descendants, from /proc (Linux). rlimits are per
 * process and a build is a tree (npm, node, esbuild/rolldown threads and workers), so the limits
 * that matter are enforced on this sum. The tree is walked from the root down through the
 * `children` lists, so a sample reads a few files for a tsc run, not every process on the machine
 * (the watchdog samples every 200 ms, and a scan of all of /proc cost the builder more than the
 * check it watched).
 */
export async function processTreeUsage(rootPid: number): Promise<TreeUsage> {
  let rssPages = 0;
  let cpuTicks = 0;
  for (let level = [rootPid]; level.length > 0;) {
    const [stats, children] = await Promise.all([Promise.all(level.map(readStat)), Promise.all(level.map(childrenOf))]);
    for (const stat of stats) {
      if (!stat) continue;
      rssPages += stat.rssPages;
      cpuTicks += stat.cpuTicks;
    }
    level = children.flat();
  }
  return { rssMb: (rssPages * PAGE_BYTES) / (1024 * 1024), cpuSeconds: cpuTicks / CLOCK_TICKS };
}
