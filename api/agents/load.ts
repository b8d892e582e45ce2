import type { EntityDictionary, EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import { AgentJob, AgentSession } from '../../db/entities/index';
import { assertRole } from '../../db/repositories/memberships';

/**
 * A row of an organization-scoped table with the caller's role in its organization, in one round
 * trip (these loads start every session and job command). No row, or no membership, is a 404:
 * another organization's resource does not exist; a role below `role` is a 403.
 */
async function loadScoped<T extends object>(em: EntityManager, entity: EntityName<T>, table: string, what: string, userId: string, id: string, role: Role): Promise<T> {
  const [row] = await em.execute<Array<Record<string, unknown> & { member_role: Role | null }>>(
    `select t.*, m.role as member_role from ${table} t left join memberships m on m.organization_id = t.organization_id and m.user_id = ? where t.id = ?`,
    [userId, id],
  );
  if (!row?.member_role) throw notFound(what);
  const { member_role: memberRole, ...fields } = row;
  assertRole(memberRole, role);
  return em.map(entity, fields as EntityDictionary<T>);
}

/** A session the user may act on with `role`; another organization's session does not exist (404). */
export const loadSession = (em: EntityManager, userId: string, sessionId: string, role: Role): Promise<AgentSession> =>
  loadScoped(em, AgentSession, 'agent_sessions', 'Session', userId, sessionId, role);

export const loadJob = (em: EntityManager, userId: string, jobId: string, role: Role): Promise<AgentJob> =>
  loadScoped(em, AgentJob, 'agent_jobs', 'Job', userId, jobId, role);
