import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../domain/errors';
import type { Role } from '../../domain/roles';
import { AgentJob, AgentSession } from '../../db/entities/index';
import { requireRole } from '../../db/repositories/memberships';

/** A session the user may act on with `role`; another organization's session does not exist (404). */
export async function loadSession(em: EntityManager, userId: string, sessionId: string, role: Role): Promise<AgentSession> {
  const session = await em.findOne(AgentSession, sessionId);
  if (!session) throw notFound('Session');
  await requireRole(em, userId, session.organizationId, role).catch(rethrowAs404('Session'));
  return session;
}

export async function loadJob(em: EntityManager, userId: string, jobId: string, role: Role): Promise<AgentJob> {
  const job = await em.findOne(AgentJob, jobId);
  if (!job) throw notFound('Job');
  await requireRole(em, userId, job.organizationId, role).catch(rethrowAs404('Job'));
  return job;
}

/** requireRole says "Organization not found" for non-members; name the resource that was asked for. */
const rethrowAs404 = (what: string) => (err: unknown) => {
  if ((err as { code?: string }).code === 'not_found') throw notFound(what);
  throw err;
};
