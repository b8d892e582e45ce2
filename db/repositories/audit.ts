import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { PageQuery } from '../../domain/pagination';
import { AuditLog } from '../entities/index';
import { findPage } from './pagination';
import { idempotentId } from '../idempotent-id';

export interface AuditEntry {
  actorId: string | null;
  organizationId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}

/** Queues an audit row on `em`; it is written by the same flush as the change it records. */
export function recordAudit(em: EntityManager, entry: AuditEntry): void {
  em.create(AuditLog, { targetId: null, ip: null, details: null, ...entry });
}

/**
 * The insert written out rather than built: a query builder costs several times the CPU of the
 * statement itself, paid by every job outcome and stack check (AuditLog's columns, db/entities).
 */
const insertAudit = (em: EntityManager, id: string, entry: AuditEntry, onConflict = '') =>
  em.execute(
    `insert into audit_logs (id, actor_id, organization_id, action, target_type, target_id, ip, details, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)${onConflict}`,
    [id, entry.actorId, entry.organizationId, entry.action, entry.targetType, entry.targetId ?? null, entry.ip ?? null, entry.details == null ? null : JSON.stringify(entry.details), new Date()],
  );

/** Writes an audit row now, in one statement: for a record that belongs to no other write (no flush, no transaction). */
export async function writeAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await insertAudit(em, randomUUID(), entry);
}

/**
 * Writes an audit row at most once per `naturalKey` (for activities: workflow run + activity id)
 * and returns it, so a retried activity finds the row its earlier attempt committed.
 */
export async function recordAuditOnce(em: EntityManager, naturalKey: string, entry: AuditEntry): Promise<AuditLog> {
  const id = idempotentId(naturalKey);
  await insertAudit(em, id, entry, ' on conflict (id) do nothing');
  return em.findOneOrFail(AuditLog, id);
}

/** The ordering's values, as `findByCursor` encodes them: newest first, id breaks ties. */
const AuditCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export const listAuditLogs = (em: EntityManager, organizationId: string, page: PageQuery) =>
  findPage(page, AuditCursor, (window) =>
    em.findByCursor(AuditLog, { where: { organizationId }, orderBy: { createdAt: 'desc', id: 'desc' }, ...window }),
  );
