import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The organization of each session this API node has seen. A session's organization is fixed when
 * it is created, so the answer never goes stale; a session deleted since is caught by the statement
 * that uses it (forge_accept_messages reads the row). A message is admitted under its organization's
 * lock, and knowing the organization here lets the admission be the request's only statement.
 */
export class SessionOrganizations {
  private readonly known = new Map<string, string>();

  /** `max` bounds memory: past it the oldest entry goes (that session then costs one read). */
  constructor(private readonly max = 100_000) {}

  remember(sessionId: string, organizationId: string): void {
    if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
    this.known.set(sessionId, organizationId);
  }

  /** The session's organization, or undefined when there is no such session. */
  async of(em: EntityManager, sessionId: string): Promise<string | undefined> {
    const cached = this.known.get(sessionId);
    if (cached !== undefined) return cached;
    const [row] = await em.execute<Array<{ organization_id: string }>>('select organization_id from agent_sessions where id = ?', [sessionId]);
    if (row) this.remember(sessionId, row.organization_id);
    return row?.organization_id;
  }
}
