import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict, notFound } from '../../domain/errors';
import { quotaExceeded, type QuotaPolicy } from '../../domain/quotas';
import { Role, roleAtLeast } from '../../domain/roles';
import { roleTooLow } from '../../db/repositories/memberships';
import { emptyUsage } from '../../domain/usage';
import { monthStart, quotaUsage } from '../../db/repositories/quota-usage';
import { messageEvent, type QueuedJob } from '../../db/repositories/queued-jobs';
import { checkEvents } from '../../db/repositories/event-log';
import { EventChannel, NOTIFY_PAYLOAD_LIMIT } from '../../domain/event-notices';
import { batchPerKey, perKeyQueue } from '../../domain/per-key';
import { DELIVERY_LEASE_SECONDS } from '../agents/message-delivery';

/**
 * Admission checks for an organization's quotas (domain/quotas.ts), run by the API before it
 * starts anything. Checks that count rows and then add one run under a per-organization advisory
 * lock held to the end of a transaction (for a message, the one statement's), so two API nodes
 * admitting at once cannot both take the last place.
 */
export function createQuotaGuard(policy: QuotaPolicy) {
  // A burst of one organization's deliveries or retries, whose transactions hold the lock across
  // round trips, then holds one pooled connection (blocked in the advisory lock, which still orders
  // them across nodes), not one each, which starved every other query of the pool.
  const oneAtATime = perKeyQueue();
  const amountExceeded = (limit: AmountLimit, used: number) => quotaExceeded(limit, policy[limit], used, `${amountNames[limit]} (${used} of ${policy[limit]})`);
  const assertAmount = (limit: AmountLimit, used: number) => {
    if (used >= policy[limit]) throw amountExceeded(limit, used);
  };

  /** A refusal forge_quota_verdict named, as a quota_exceeded error. */
  const refusal = (outcome: AdmissionLimit, used: string | null, retryAfter: number | null) => {
    if (outcome === 'messagesPerMinute') {
      return quotaExceeded(outcome, policy.messagesPerMinute, Number(used), `${used} messages in the last minute; retry in ${retryAfter} s`, retryAfter ?? 1);
    }
    return amountExceeded(outcome, Number(used));
  };

  // One statement per organization at a time on this node; messages arriving meanwhile are admitted
  // together by the next one (forge_accept_messages), taking the organization's lock once.
  const admitBatch = batchPerKey<{ em: EntityManager; message: Record<string, unknown> }, AdmissionRow>((organizationId, batch) =>
    batch[0]!.em.execute<AdmissionRow[]>(
      'select * from forge_accept_messages(?, ?, ?::jsonb, ?::interval, ?, ?, ?::text[], ?::jsonb)',
      [organizationId, monthStart(new Date()), JSON.stringify(policy), `${DELIVERY_LEASE_SECONDS} seconds`, EventChannel, NOTIFY_PAYLOAD_LIMIT,
        messageRoles, JSON.stringify(batch.map((b) => b.message))],
    ));

  return {
    policy,

    /**
     * A chat message (REST or socket) to a session of `organizationId`, in one statement under the
     * organization's lock: the session and the sender's role (another organization's session is a
     * 404, a viewer a 403, a closed session a 409); the organization's jobs at once and messages
     * per minute, the session's queue, the month's tokens and the stored bytes; then the job's
     * `queued` row, its `message` event, its audit row (with `ip`) and its outbox row, so the next
     * admission counts it. A burst of the organization's messages on this node shares one
     * statement. Admitted, it carries the job's project, its token cap (the per-job budget, or what
     * is left of the month when smaller) and the row's creation time; `known`: the job exists already.
     */
    async admitMessage(em: EntityManager, organizationId: string, job: Omit<QueuedJob, 'organizationId' | 'projectId'>, ip: string | null): Promise<Admission> {
      const { topic, events } = messageEvent(job);
      checkEvents(topic, events);
      const message = { id: job.jobId, sessionId: job.sessionId, actorId: job.actorId, content: job.content, usage: emptyUsage(), ip, topic, events };
      const row = await admitBatch(organizationId, { em, message });
      switch (row.outcome) {
        case 'admitted': return { outcome: 'admitted', projectId: row.project_id!, tokenCap: Number(row.token_cap), createdAt: row.job_created_at };
        case 'known': return { outcome: 'known' };
        case 'not_found': throw notFound('Session');
        case 'forbidden': throw roleTooLow(row.member_role!, messageRole);
        case 'closed': throw conflict('This session is closed');
        default: throw refusal(row.outcome, row.used, row.retry_after_seconds);
      }
    },

    /**
     * A failed or cancelled job run again: the same checks (its own tokens may be spent again), then
     * `start` on the lock's transaction, so the lock lasts until the run is started or refused.
     */
    async admitRetry<T>(em: EntityManager, job: { id: string; organizationId: string; sessionId: string }, start: (tokenCap: number, tx: EntityManager) => Promise<T>): Promise<T> {
      return oneAtATime(job.organizationId, () => em.fork().transactional(async (tx) => {
        const [row] = await tx.execute<Array<Omit<AdmissionRow, 'job_id' | 'job_created_at'> & { outcome: 'admitted' | AdmissionLimit }>>(
          'select * from forge_admit_retry(?, ?, ?, ?::jsonb, ?)',
          [job.organizationId, job.sessionId, monthStart(new Date()), JSON.stringify(policy), job.id],
        );
        if (row!.outcome === 'admitted') return start(Number(row!.token_cap), tx);
        throw refusal(row!.outcome, row!.used, row!.retry_after_seconds);
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

export type Admission = { outcome: 'admitted'; projectId: string; tokenCap: number; createdAt: Date | null } | { outcome: 'known' };

/** Who may send a message: editors and above. */
const messageRole: Role = 'editor';
/** As a Postgres array literal (the query builder would spread a JS array into separate values). */
const messageRoles = `{${Role.options.filter((role) => roleAtLeast(role, messageRole)).join(',')}}`;

type AmountLimit = 'concurrentJobs' | 'queuedMessagesPerSession' | 'livePreviews' | 'deployments' | 'monthlyTokens' | 'storedBytes';
/** What forge_quota_verdict may refuse a message for. */
type AdmissionLimit = 'messagesPerMinute' | 'concurrentJobs' | 'queuedMessagesPerSession' | 'monthlyTokens' | 'storedBytes';

/** A row of forge_accept_messages (numbers as Postgres sends bigints: strings). */
interface AdmissionRow {
  job_id: string;
  outcome: 'admitted' | 'known' | 'not_found' | 'forbidden' | 'closed' | AdmissionLimit;
  used: string | null;
  retry_after_seconds: number | null;
  token_cap: string | null;
  job_created_at: Date | null;
  project_id: string | null;
  member_role: Role | null;
}

/** How a refusal names what is counted. */
const amountNames: Record<AmountLimit, string> = {
  concurrentJobs: 'jobs queued or running in the organization',
  queuedMessagesPerSession: 'messages waiting in this session',
  livePreviews: 'previews pending or live',
  deployments: 'deployments in progress or live',
  monthlyTokens: 'tokens used this month',
  storedBytes: 'bytes of code stored',
};

/** Transaction-scoped: released by the commit or rollback, whatever happens in between. */
async function lockOrganization(tx: EntityManager, organizationId: string): Promise<void> {
  await tx.getConnection().execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`quota:${organizationId}`], 'all', tx.getTransactionContext());
}
