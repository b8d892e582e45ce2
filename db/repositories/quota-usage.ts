import type { EntityManager } from '@mikro-orm/postgresql';

/** Jobs that hold a place: accepted and not finished. */
const unfinished = `status in ('queued', 'running', 'waiting')`;

/** The first instant of the current UTC month: where monthly tokens start counting. */
export const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

type Row = Record<string, string | number | null>;
const one = async (em: EntityManager, sql: string, params: unknown[]) =>
  (await em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext()))[0] ?? {};

/** Scalar subqueries, one per amount, shared by the single-amount reads and the admission's one round trip. */
const amount = {
  unfinishedJobs: `select count(*) from agent_jobs where organization_id = ? and ${unfinished}`,
  unfinishedJobsOfSession: `select count(*) from agent_jobs where session_id = ? and ${unfinished}`,
  messagesLastMinute: `select count(*) from agent_jobs where organization_id = ? and created_at > now() - interval '1 minute'`,
  oldestMessageAgeMs: `select coalesce(extract(epoch from (now() - min(created_at))) * 1000, 0) from agent_jobs
                        where organization_id = ? and created_at > now() - interval '1 minute'`,
  tokensSince: `select coalesce(sum((usage->>'promptTokens')::bigint + (usage->>'completionTokens')::bigint), 0)
                  from agent_jobs where organization_id = ? and created_at >= ? and id <> ?`,
  storedBytes: `select coalesce(sum(b.size), 0) from file_blobs b
                 where b.hash in (select sf.hash from source_files sf join code_versions v on v.id = sf.version_id
                                    join projects p on p.id = v.project_id where p.organization_id = ?)`,
};
const noJob = '00000000-0000-0000-0000-000000000000';

/** What a new message is checked against, in one round trip: the admission holds the organization's lock meanwhile. */
export interface MessageQuotaUsage {
  unfinishedJobs: number;
  unfinishedJobsOfSession: number;
  messagesLastMinute: { count: number; oldestAgeMs: number };
  monthTokens: number;
  storedBytes: number;
}

/**
 * What an organization uses of each quota, counted in SQL at the moment of asking: the database is
 * the one counter every API node and worker shares, so no node needs a memory of its own.
 */
export const quotaUsage = {
  async ofMessage(em: EntityManager, organizationId: string, sessionId: string, since: Date): Promise<MessageQuotaUsage> {
    const row = await one(
      em,
      `select (${amount.unfinishedJobs}) as jobs, (${amount.unfinishedJobsOfSession}) as queued, (${amount.messagesLastMinute}) as recent,
              (${amount.oldestMessageAgeMs}) as age, (${amount.tokensSince}) as tokens, (${amount.storedBytes}) as bytes`,
      [organizationId, sessionId, organizationId, organizationId, organizationId, since, noJob, organizationId],
    );
    return {
      unfinishedJobs: Number(row.jobs),
      unfinishedJobsOfSession: Number(row.queued),
      messagesLastMinute: { count: Number(row.recent), oldestAgeMs: Number(row.age) },
      monthTokens: Number(row.tokens),
      storedBytes: Number(row.bytes),
    };
  },

  async unfinishedJobs(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, `select (${amount.unfinishedJobs}) as n`, [organizationId])).n);
  },

  /** The fullest session queue of the organization (for the usage report). */
  async fullestSessionQueue(em: EntityManager, organizationId: string): Promise<number> {
    const row = await one(em, `select coalesce(max(n), 0) as n from (select count(*) as n from agent_jobs where organization_id = ? and ${unfinished} group by session_id) q`, [organizationId]);
    return Number(row.n);
  },

  /** Messages (jobs) accepted in the last minute, and when the oldest of them leaves the window. */
  async messagesLastMinute(em: EntityManager, organizationId: string): Promise<{ count: number; oldestAgeMs: number }> {
    const row = await one(em, `select (${amount.messagesLastMinute}) as n, (${amount.oldestMessageAgeMs}) as age`, [organizationId, organizationId]);
    return { count: Number(row.n), oldestAgeMs: Number(row.age) };
  },

  /** Previews that hold provider resources or will: everything not failed or destroyed. */
  async livePreviews(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, `select count(*) as n from previews where organization_id = ? and status not in ('failed', 'destroyed')`, [organizationId])).n);
  },

  /** Deployments live or on their way there; superseded, rolled back and failed ones hold nothing. */
  async activeDeployments(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, `select count(*) as n from deployments where organization_id = ? and status in ('pending', 'building', 'deploying', 'live')`, [organizationId])).n);
  },

  /** Tokens of the organization's jobs created since `since`, optionally leaving one job out. */
  async tokensSince(em: EntityManager, organizationId: string, since: Date, exceptJobId?: string): Promise<number> {
    return Number((await one(em, `select (${amount.tokensSince}) as n`, [organizationId, since, exceptJobId ?? noJob])).n);
  },

  /** Bytes of the distinct file contents the organization's versions hold (a blob shared by versions counts once). */
  async storedBytes(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, `select (${amount.storedBytes}) as n`, [organizationId])).n);
  },

  /** The largest token budget an open session of the organization asks for. */
  async largestSessionBudget(em: EntityManager, organizationId: string): Promise<number> {
    const row = await one(em, `select coalesce(max((settings->>'tokenBudget')::bigint), 0) as n from agent_sessions where organization_id = ? and status = 'open'`, [organizationId]);
    return Number(row.n);
  },
};
