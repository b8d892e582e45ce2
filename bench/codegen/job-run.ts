import type { Usage } from '../../domain/agents';
import type { StageTimes } from './stage-times';

/** One benchmark job, whichever path ran it. */
export interface JobRun {
  jobId?: string;
  wallMs: number;
  ok: boolean;
  error?: string;
  usage?: Usage;
  stages?: StageTimes;
  /** performance.now() when the job was seen finished. */
  finishedAt: number;
}

/** Jobs started together: each one's run, and the wall time from the first start to the last finish. */
export interface JobBatch {
  runs: JobRun[];
  totalWallMs: number;
}

/** Runs `job(i)` for i < n all at once; the clock starts now, after any setup the caller did. */
export async function runBatch(n: number, job: (i: number) => Promise<Omit<JobRun, 'wallMs' | 'finishedAt'>>): Promise<JobBatch> {
  const clock = performance.now();
  const runs = await Promise.all(Array.from({ length: n }, async (_, i): Promise<JobRun> => {
    const started = performance.now();
    const outcome = await job(i).catch((error: unknown) => ({ ok: false, error: String(error) }));
    const finishedAt = performance.now();
    return { ...outcome, wallMs: finishedAt - started, finishedAt };
  }));
  return { runs, totalWallMs: Math.max(...runs.map((r) => r.finishedAt)) - clock };
}

/** `rounds` batches one after another, as one: every run, and the median batch's wall time (one job alone is a noisy sample). */
export async function inRounds(rounds: number, batch: () => Promise<JobBatch>): Promise<JobBatch> {
  const batches: JobBatch[] = [];
  for (let i = 0; i < rounds; i++) batches.push(await batch());
  return { runs: batches.flatMap((b) => b.runs), totalWallMs: median(batches.map((b) => b.totalWallMs)) };
}

/** The middle value (the upper one of an even count). */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
