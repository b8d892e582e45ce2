import type { EntityManager } from '@mikro-orm/postgresql';
import { quotaExceeded, type QuotaPolicy } from '../../domain/quotas';
import { monthStart, quotaUsage } from '../../db/repositories/quota-usage';

/**
 * Admission checks for an organization's quotas (domain/quotas.ts), run by the API before it
 * starts anything. Checks that count rows and then add one run under a per-organization advisory
 * lock held to the end of a transaction, so two API nodes admitting at once cannot both take the
 * last place.
 */
export function createQuotaGuard(policy: QuotaPolicy) {
  const oneAtATime = perKeyQueue();
  const assertAmount = (limit: 'concurrentJobs' | 'queuedMessagesPerSession' | 'livePreviews' | 'deployments' | 'monthlyTokens' | 'storedBytes', used: number, what: string) => {
    if (used >= policy[limit]) throw quotaExceeded(limit, policy[limit], used, `${what} (${used} of ${policy[limit]})`);
  };

  return {
    policy,

    /**
     * A chat message (REST or socket): the organization's jobs at once and messages per minute, the
     * session's queue, the month's tokens and the stored bytes. `accept` runs under the lock and writes
     * on `tx` (the lock's own connection: a second one per request could exhaust the pool while
     * requests queue on the lock), so the job it records is counted by the next admission; it gets
     * the job's token cap: the per-job budget, or what is left of the month when smaller.
     */
    async admitMessage<T>(em: EntityManager, organizationId: string, sessionId: string, accept: (tokenCap: number, tx: EntityManager) => Promise<T>, retriedJobId?: string): Promise<T> {
      return oneAtATime(organizationId, () => em.fork().transactional(async (tx) => {
        await lockOrganization(tx, organizationId);
        const now = new Date();
        const used = await quotaUsage.ofMessage(tx, organizationId, sessionId, monthStart(now));
        const recent = used.messagesLastMinute;
        if (recent.count >= policy.messagesPerMinute) {
          const retryAfter = Math.max(1, Math.ceil((60_000 - recent.oldestAgeMs) / 1000));
          throw quotaExceeded('messagesPerMinute', policy.messagesPerMinute, recent.count, `${recent.count} messages in the last minute; retry in ${retryAfter} s`, retryAfter);
        }
        assertAmount('concurrentJobs', used.unfinishedJobs, 'jobs queued or running in the organization');
        assertAmount('queuedMessagesPerSession', used.unfinishedJobsOfSession, 'messages waiting in this session');
        const monthTokens = used.monthTokens;
        assertAmount('monthlyTokens', monthTokens, 'tokens used this month');
        assertAmount('storedBytes', used.storedBytes, 'bytes of code stored');
        // The job may spend what is left of the month (a retried job: plus what it spent itself, as its budget counts its earlier runs).
        const ownTokens = retriedJobId ? monthTokens - (await quotaUsage.tokensSince(tx, organizationId, monthStart(now), retriedJobId)) : 0;
        return accept(Math.min(policy.jobTokenBudget, policy.monthlyTokens - monthTokens + ownTokens), tx);
      }));
    },

    /** A preview or deployment: `record` inserts its row under the lock. */
    async admitDelivery(em: EntityManager, organizationId: string, kind: 'preview' | 'deployment', record: () => Promise<void>): Promise<void> {
      await oneAtATime(organizationId, () => em.fork().transactional(async (tx) => {
        await lockOrganization(tx, organizationId);
        if (kind === 'preview') assertAmount('livePreviews', await quotaUsage.livePreviews(tx, organizationId), 'previews pending or live');
        else assertAmount('deployments', await quotaUsage.activeDeployments(tx, organizationId), 'deployments in progress or live');
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

/**
 * Runs one call per key at a time on this node, the others waiting here in turn: a burst of one
 * organization's admissions then holds one pooled connection (blocked in the advisory lock, which
 * still orders them across nodes), not one each, which starved every other query of the pool.
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
