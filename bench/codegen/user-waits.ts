import { startFirstTokenTimer } from './first-token-timer';
import { jobPrompt } from './job-prompts';
import type { BenchUser } from './temporal-jobs';

export interface UserWaits {
  sessions: number;
  /** POST /sessions/:id/messages until its answer. */
  postMs: number[];
  /** POST sent until the message's durable event reached a socket subscribed before it. */
  firstEventMs: number[];
  /** A streamed reply's first token at the model until its first delta at the client (the first reply seen whole). */
  tokenToDeltaMs: number[];
  errors: string[];
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
};
/** The rounds' samples together (p50s and p99 over all of them), and each round's p50s. */
export const summarizeWaits = (rounds: UserWaits[]) => {
  const all = (pick: (w: UserWaits) => number[]) => rounds.flatMap(pick);
  return {
    sessions: rounds[0]?.sessions ?? 0,
    rounds: rounds.length,
    postP50Ms: Math.round(percentile(all((w) => w.postMs), 50)),
    firstEventP50Ms: Math.round(percentile(all((w) => w.firstEventMs), 50)),
    firstEventP99Ms: Math.round(percentile(all((w) => w.firstEventMs), 99)),
    tokenToDeltaP50Ms: Math.round(percentile(all((w) => w.tokenToDeltaMs), 50)),
    roundPostP50Ms: rounds.map((w) => Math.round(percentile(w.postMs, 50))),
    roundFirstEventP50Ms: rounds.map((w) => Math.round(percentile(w.firstEventMs, 50))),
    errors: rounds.reduce((sum, w) => sum + w.errors.length, 0),
  };
};

/**
 * What a user waits for, at `n` concurrent sessions, from outside like a web client: each session's
 * socket subscribes to `session:<id>` before the POST; the POST's answer time; the time to the
 * message's durable event on that socket; then, watching the job, the time from the model writing
 * the plan's first token to the client receiving the first planner delta.
 */
export async function measureUserWaits(user: BenchUser, n: number, timeoutMs: number, round = 0): Promise<UserWaits> {
  const { client, orgId } = user;
  const sessions = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const project = await client.projects.create(orgId, { name: `Bench waits ${round}.${i}` });
    return (await client.sessions.create(project.id, { settings: { autoPreview: false } })).id;
  }));
  const timer = startFirstTokenTimer();
  const waits: UserWaits = { sessions: n, postMs: [], firstEventMs: [], tokenToDeltaMs: [], errors: [] };
  try {
    await Promise.all(sessions.map(async (sessionId, i) => {
      // The job's topic is known from the message event (its data names the job), which arrives
      // before the POST's answer: subscribing then catches the job's replies from the plan on.
      const replies = new Map<string, { firstAt: number; text: string }>();
      let jobWatch: { close(): void } | undefined;
      let finished!: () => void;
      const done = new Promise<void>((resolve) => { finished = resolve; });
      let messageAt: number | undefined;
      let jobId: string | undefined;
      const watchJob = (id: string) => {
        jobWatch ??= client.watch(`job:${id}`, {
          onDelta: (d) => {
            const key = `${String(d.data.role)}:${String(d.data.path ?? '')}`;
            const reply = replies.get(key) ?? { firstAt: performance.now(), text: '' };
            reply.text += String(d.data.text);
            replies.set(key, reply);
          },
          onEvent: (event) => { if (event.type === 'job.finished') finished(); },
          onError: (error) => { waits.errors.push(`job ${id}: ${error.message}`); finished(); },
        });
      };
      const sessionWatch = client.watch(`session:${sessionId}`, {
        onEvent: (event) => {
          if (event.type !== 'message' || messageAt !== undefined) return;
          messageAt = performance.now();
          watchJob(String(event.data.jobId));
        },
      });
      await sessionWatch.ready;
      const sentAt = performance.now();
      const job = await client.sessions.sendMessage(sessionId, jobPrompt(1000 + 100 * round + i));
      waits.postMs.push(performance.now() - sentAt);
      jobId = job.id;
      watchJob(jobId);
      const timeout = setTimeout(() => { waits.errors.push(`job ${jobId} did not finish within ${timeoutMs / 1000} s`); finished(); }, timeoutMs);
      await done;
      clearTimeout(timeout);
      jobWatch?.close();
      sessionWatch.close();
      if (messageAt !== undefined) waits.firstEventMs.push(messageAt - sentAt);
      else waits.errors.push(`no message event for job ${jobId}`);
      // The first reply (in arrival order) whose whole text the client saw and the model wrote once.
      const measured = [...replies.values()].sort((a, b) => a.firstAt - b.firstAt)
        .map((r) => ({ r, token: timer.firstTokenOf(r.text) }))
        .find((m) => m.token !== undefined);
      if (measured) waits.tokenToDeltaMs.push(measured.r.firstAt - measured.token!);
      else waits.errors.push(`no streamed reply of job ${jobId} could be matched`);
    }));
  } finally {
    timer.stop();
  }
  return waits;
}
