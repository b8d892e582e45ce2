import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One Idempotency-Key a user sent (api/http/idempotency.ts). The primary key (user, key) is what
 * makes two concurrent requests with one key run once: the first insert wins, the other waits
 * for `response`. Rows are written only by db/repositories/idempotency-keys.ts.
 */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  indexes: [{ properties: ['expiresAt'] }],
  properties: {
    userId: p.uuid().primary(),
    key: p.string().length(255).primary(),
    /** sha256 of method, route, path, body and user: the same key with another request is refused. */
    fingerprint: p.string().length(64),
    /** `in_progress` until the first request answers, then `done` with its status and body. */
    status: p.string().length(16),
    responseStatus: p.integer().nullable(),
    responseBody: p.json<unknown>().nullable(),
    createdAt: p.datetime(),
    /** An `in_progress` row past this was left by a crashed request: a retry takes it over. */
    lockedUntil: p.datetime(),
    expiresAt: p.datetime(),
  },
});
export type IdempotencyKey = InferEntity<typeof IdempotencyKey>;
