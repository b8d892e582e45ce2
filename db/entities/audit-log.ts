import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

/** Append-only record of every mutating call and job outcome. Ids, not relations: rows outlive what they name. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_logs',
  indexes: [{ properties: ['organizationId', 'createdAt'] }],
  properties: {
    ...baseProperties,
    /** null for system actions (a workflow outcome). */
    actorId: p.uuid().nullable(),
    organizationId: p.uuid().nullable(),
    action: p.string(),
    targetType: p.string(),
    targetId: p.string().nullable(),
    ip: p.string().nullable(),
    details: p.json<Record<string, unknown>>().nullable(),
  },
});
export type AuditLog = InferEntity<typeof AuditLog>;
