import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The model's condensation of a session's transcript up to entry `throughId`. Each one extends the
 * previous, so every turn is condensed once; (session, throughId) is the key, so two model calls
 * condensing the same range at once keep one row.
 */
export const SessionSummary = defineEntity({
  name: 'SessionSummary',
  tableName: 'session_summaries',
  properties: {
    sessionId: p.uuid().primary(),
    throughId: p.bigint('number').primary(),
    text: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SessionSummary = InferEntity<typeof SessionSummary>;
