import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TranscriptAuthor, TranscriptKind } from '../../domain/conversation';

/**
 * One entry of a session's transcript (domain/conversation.ts). `id` is an identity column: entries
 * are written one turn at a time, so its order is the conversation's order. `idempotencyKey` is the
 * key of the job event the entry mirrors, so a retried report writes it once.
 */
export const SessionMessage = defineEntity({
  name: 'SessionMessage',
  tableName: 'session_messages',
  indexes: [{ properties: ['sessionId', 'id'] }],
  uniques: [{ properties: ['idempotencyKey'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    sessionId: p.uuid(),
    jobId: p.uuid(),
    author: p.enum(TranscriptAuthor.options),
    kind: p.enum(TranscriptKind.options),
    text: p.text(),
    data: p.json<Record<string, unknown>>(),
    idempotencyKey: p.string().length(500),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SessionMessage = InferEntity<typeof SessionMessage>;
