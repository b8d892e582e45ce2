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

const insertAudit = (em: EntityManager, id: string, entry: AuditEntry) =>
  em.createQueryBuilder(AuditLog).insert({ targetId: null, ip: null, details: null, ...entry, id, createdAt: new Date() });

/** Writes an audit row now, in one statement: for a record that belongs to no other write (no flush, no transaction). */
export async function writeAudit(em: EntityManager, entry: AuditEntry): Promise<void> {
  await insertAudit(em, randomUUID(), entry).execute();
}

/**
 * Writes an audit row at most once per `naturalKey` (for activities: workflow run + activity id)
 * and returns it, so a retried activity finds the row its earlier attempt committed.
 */
export async function recordAuditOnce(em: EntityManager, naturalKey: string, entry: AuditEntry): Promise<AuditLog> {
  const id = idempotentId(naturalKey);
  await insertAudit(em, id, entry).onConflict('id').ignore().execute();
  return em.findOneOrFail(AuditLog, id);
}

/** The ordering's values, as `findByCursor` encodes them: newest first, id breaks ties. */
const AuditCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export const listAuditLogs = (em: EntityManager, organizationId: string, page: PageQuery) =>
  findPage(page, AuditCursor, (window) =>
    em.findByCursor(AuditLog, { where: { organizationId }, orderBy: { createdAt: 'desc', id: 'desc' }, ...window }),
  );
