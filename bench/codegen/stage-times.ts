import type { StoredEvent } from '../../domain/events';

/** Milliseconds per stage of one job: where its wall time went. */
export type StageTimes = Record<string, number>;

/**
 * A Temporal job's stages from its durable events: `accept` from sending the message to the first
 * `job.stage` event (API, session update, createJob, child workflow start), each stage until the
 * next `job.stage` or `job.finished` event (the stage's activities and its bookkeeping), and `relay`
 * from `job.finished` being written to the client receiving it. Same machine, same clock.
 */
export function stagesFromEvents(events: StoredEvent[], sentAtMs: number, receivedAtMs: number): StageTimes {
  const marks = events.filter((e) => e.type === 'job.stage' || e.type === 'job.finished').map((e) => ({ e, at: Date.parse(e.at) }));
  const times: StageTimes = {};
  const add = (stage: string, ms: number) => void (times[stage] = (times[stage] ?? 0) + ms);
  if (marks[0]) add('accept', marks[0].at - sentAtMs);
  marks.forEach(({ e, at }, i) => {
    const next = marks[i + 1];
    if (next && e.type === 'job.stage') add(String(e.data.stage), next.at - at);
  });
  const finished = marks.at(-1);
  if (finished?.e.type === 'job.finished') add('relay', receivedAtMs - finished.at);
  return times;
}

/** Mean milliseconds per stage over the jobs that recorded it. */
export function meanStages(all: Array<StageTimes | undefined>): StageTimes {
  const sums: Record<string, { total: number; count: number }> = {};
  for (const times of all) {
    for (const [stage, ms] of Object.entries(times ?? {})) {
      const s = (sums[stage] ??= { total: 0, count: 0 });
      s.total += ms;
      s.count++;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([stage, s]) => [stage, Math.round(s.total / s.count)]));
}

/** Measures stages of an in-process job by timing around each call. */
export function stageClock() {
  const times: StageTimes = {};
  return {
    times,
    async time<T>(stage: string, call: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await call();
      } finally {
        times[stage] = (times[stage] ?? 0) + performance.now() - started;
      }
    },
  };
}
