import type { EntityManager } from '@mikro-orm/postgresql';

/** Jobs that hold a place: accepted and not finished. */
const unfinished = `status in ('queued', 'running', 'waiting')`;

/** The first instant of the current UTC month: where monthly tokens start counting. */
export const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

type Row = Record<string, string | number | null>;
const one = async (em: EntityManager, sql: string, params: unknown[]) =>
  (await em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext()))[0] ?? {};

/**
 * What an organization uses of each quota, counted in SQL at the moment of asking: the database is
 * the one counter every API node and worker shares, so no node needs a memory of its own. The amounts
 * that admission checks are SQL functions (Migration20261203153000_quota_functions), read by the
 * report here and by message admission (`forge_quota_verdict`) under the organization's lock.
 */
export const quotaUsage = {
  async unfinishedJobs(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, 'select forge_unfinished_jobs(?) as n', [organizationId])).n);
  },

  /** The fullest session queue of the organization (for the usage report). */
  async fullestSessionQueue(em: EntityManager, organizationId: string): Promise<number> {
    const row = await one(em, `select coalesce(max(n), 0) as n from (select count(*) as n from agent_jobs where organization_id = ? and ${unfinished} group by session_id) q`, [organizationId]);
    return Number(row.n);
  },

  /** Messages (jobs) accepted in the last minute, and when the oldest of them leaves the window. */
  async messagesLastMinute(em: EntityManager, organizationId: string): Promise<{ count: number; oldestAgeMs: number }> {
    const row = await one(em, 'select messages, oldest_age_ms from forge_recent_messages(?)', [organizationId]);
    return { count: Number(row.messages), oldestAgeMs: Number(row.oldest_age_ms) };
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
    return Number((await one(em, 'select forge_tokens_since(?, ?, ?) as n', [organizationId, since, exceptJobId ?? null])).n);
  },

  /** Bytes of the distinct file contents the organization's versions hold (a blob shared by versions counts once). */
  async storedBytes(em: EntityManager, organizationId: string): Promise<number> {
    return Number((await one(em, 'select forge_stored_bytes(?) as n', [organizationId])).n);
  },

  /** The largest token budget an open session of the organization asks for. */
  async largestSessionBudget(em: EntityManager, organizationId: string): Promise<number> {
    const row = await one(em, `select coalesce(max((settings->>'tokenBudget')::bigint), 0) as n from agent_sessions where organization_id = ? and status = 'open'`, [organizationId]);
    return Number(row.n);
  },
};
