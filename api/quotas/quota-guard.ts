import type { EntityManager } from '@mikro-orm/postgresql';
import { quotaExceeded, type QuotaPolicy } from '../../domain/quotas';
import { emptyUsage } from '../../domain/usage';
import { monthStart, quotaUsage } from '../../db/repositories/quota-usage';
import { messageEventCall, type QueuedJob } from '../../db/repositories/queued-jobs';
import type { SqlCall } from '../../db/repositories/event-log';

/**
 * Admission checks for an organization's quotas (domain/quotas.ts), run by the API before it
 * starts anything. Checks that count rows and then add one run under a per-organization advisory
 * lock held to the end of a transaction (for a message, the one statement's), so two API nodes
 * admitting at once cannot both take the last place.
 */
export function createQuotaGuard(policy: QuotaPolicy) {
  const oneAtATime = perKeyQueue();
  const amountExceeded = (limit: AmountLimit, used: number) => quotaExceeded(limit, policy[limit], used, `${amountNames[limit]} (${used} of ${policy[limit]})`);
  const assertAmount = (limit: AmountLimit, used: number) => {
    if (used >= policy[limit]) throw amountExceeded(limit, used);
  };

  /** forge_admit_message: its outcome, or the refusal it names as a quota_exceeded error. */
  const admit = async (em: EntityManager, organizationId: string, sessionId: string, retriedJobId: string | null, job: Record<string, unknown> | null, onAdmit?: SqlCall): Promise<Admission> => {
    // `onAdmit` runs in the same statement, after the admission and only for an admitted one.
    const [row] = await em.execute<Array<{ outcome: 'admitted' | 'known' | AdmissionLimit; used: string | null; retry_after_seconds: number | null; token_cap: string | null; job_created_at: Date | null }>>(
      `select a.*, ${onAdmit ? `case when a.outcome = 'admitted' then ${onAdmit.sql} end` : 'null'} as on_admit from forge_admit_message(?, ?, ?, ?::jsonb, ?, ?::jsonb) a`,
      [...(onAdmit?.params ?? []), organizationId, sessionId, monthStart(new Date()), JSON.stringify(policy), retriedJobId, job === null ? null : JSON.stringify(job)],
    );
    const { outcome, used, retry_after_seconds: retryAfter } = row!;
    if (outcome === 'known') return { outcome };
    if (outcome === 'admitted') return { outcome, tokenCap: Number(row!.token_cap), createdAt: row!.job_created_at };
    if (outcome === 'messagesPerMinute') {
      throw quotaExceeded(outcome, policy.messagesPerMinute, Number(used), `${used} messages in the last minute; retry in ${retryAfter} s`, retryAfter ?? 1);
    }
    throw amountExceeded(outcome, Number(used));
  };

  return {
    policy,

    /**
     * A chat message (REST or socket): the organization's jobs at once and messages per minute, the
     * session's queue, the month's tokens and the stored bytes, checked and the job's `queued` row
     * written in one statement under the organization's lock (forge_admit_message), so the next
     * admission counts it. Admitted, it carries the job's token cap (the per-job budget, or what is
     * left of the month when smaller) and the row's creation time; `known`: the job exists already.
     * The job's `message` event is appended by the same statement: one round trip, and clients hear
     * of the message the moment it is admitted.
     */
    async admitMessage(em: EntityManager, job: QueuedJob): Promise<Admission> {
      const row = { id: job.jobId, projectId: job.projectId, actorId: job.actorId, content: job.content, usage: emptyUsage() };
      return admit(em, job.organizationId, job.sessionId, null, row, messageEventCall(job));
    },

    /**
     * A failed or cancelled job run again: the same checks (its own tokens may be spent again), then
     * `start` on the lock's transaction, so the lock lasts until the run is started or refused.
     */
    async admitRetry<T>(em: EntityManager, job: { id: string; organizationId: string; sessionId: string }, start: (tokenCap: number, tx: EntityManager) => Promise<T>): Promise<T> {
      return oneAtATime(job.organizationId, () => em.fork().transactional(async (tx) => {
        const admission = await admit(tx, job.organizationId, job.sessionId, job.id, null);
        if (admission.outcome !== 'admitted') throw new Error(`A retry's admission cannot be ${admission.outcome}`);
        return start(admission.tokenCap, tx);
      }));
    },

    /** A preview or deployment: `record` inserts its row under the lock. */
    async admitDelivery(em: EntityManager, organizationId: string, kind: 'preview' | 'deployment', record: () => Promise<void>): Promise<void> {
      await oneAtATime(organizationId, () => em.fork().transactional(async (tx) => {
        await lockOrganization(tx, organizationId);
        if (kind === 'preview') assertAmount('livePreviews', await quotaUsage.livePreviews(tx, organizationId));
        else assertAmount('deployments', await quotaUsage.activeDeployments(tx, organizationId));
        await record();
      }));
    },

    /** A new version of `addedBytes`: refused when the organization's stored code would pass its quota. */
    async assertStorage(em: EntityManager, organizationId: string, addedBytes: number): Promise<void> {
      const used = await quotaUsage.storedBytes(em, organizationId);
      if (used + addedBytes > policy.storedBytes) {
        throw quotaExceeded('storedBytes', policy.storedBytes, used, `${used} bytes stored, a version of ${addedBytes} bytes would pass ${policy.storedBytes}`);
      }
    },

    /** A session asking for a larger per-job token budget than the organization allows. */
    assertJobBudget(tokenBudget: number | undefined): void {
      if (tokenBudget !== undefined && tokenBudget > policy.jobTokenBudget) {
        throw quotaExceeded('jobTokenBudget', policy.jobTokenBudget, tokenBudget, `a job may spend at most ${policy.jobTokenBudget} tokens, ${tokenBudget} asked`);
      }
    },
  };
}

export type QuotaGuard = ReturnType<typeof createQuotaGuard>;

export type Admission = { outcome: 'admitted'; tokenCap: number; createdAt: Date | null } | { outcome: 'known' };

type AmountLimit = 'concurrentJobs' | 'queuedMessagesPerSession' | 'livePreviews' | 'deployments' | 'monthlyTokens' | 'storedBytes';
/** What forge_admit_message may refuse a message for. */
type AdmissionLimit = 'messagesPerMinute' | 'concurrentJobs' | 'queuedMessagesPerSession' | 'monthlyTokens' | 'storedBytes';

/** How a refusal names what is counted. */
const amountNames: Record<AmountLimit, string> = {
  concurrentJobs: 'jobs queued or running in the organization',
  queuedMessagesPerSession: 'messages waiting in this session',
  livePreviews: 'previews pending or live',
  deployments: 'deployments in progress or live',
  monthlyTokens: 'tokens used this month',
  storedBytes: 'bytes of code stored',
};

/**
 * Runs one call per key at a time on this node, the others waiting here in turn: a burst of one
 * organization's deliveries or retries, whose transactions hold the lock across round trips, then
 * holds one pooled connection (blocked in the advisory lock, which still orders them across nodes),
 * not one each, which starved every other query of the pool. A message's admission is one statement
 * and needs no queue.
 */
function perKeyQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(run, run);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return result;
  };
}

/** Transaction-scoped: released by the commit or rollback, whatever happens in between. */
async function lockOrganization(tx: EntityManager, organizationId: string): Promise<void> {
  await tx.getConnection().execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`quota:${organizationId}`], 'all', tx.getTransactionContext());
}
