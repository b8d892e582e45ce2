import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode, notFound } from '../../domain/errors';
import { splitTopic, type Topic, type TopicKind } from '../../domain/events';
import { requireRole } from '../../db/repositories/memberships';

/**
 * The table whose row a topic is about; each has an `organization_id` column. Read with SQL
 * rather than entities so the rule stays one lookup for every kind.
 */
const ownerTable: Record<TopicKind, string> = {
  job: 'agent_jobs',
  session: 'agent_sessions',
  project: 'projects',
  preview: 'previews',
  deployment: 'deployments',
};

/**
 * Lets a member of the topic's organization read it (any role: viewers watch jobs too). An
 * unknown topic and another organization's topic are the same 404, as in REST, so a topic id
 * reveals nothing. Used by socket subscribe and `GET /topics/:topic/events`.
 */
export async function authorizeTopic(em: EntityManager, userId: string, topic: Topic): Promise<void> {
  const { kind, id } = splitTopic(topic);
  const [owner] = await em.execute<{ organization_id: string }[]>(`select organization_id from ${ownerTable[kind]} where id = ?`, [id]);
  if (!owner) throw notFound('Topic');
  await requireRole(em, userId, owner.organization_id, 'viewer').catch((err: unknown) => {
    throw err instanceof AppError && err.code === ErrorCode.notFound ? notFound('Topic') : err;
  });
}
