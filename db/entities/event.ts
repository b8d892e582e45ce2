import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * One entry of the durable event log (see DESIGN.md, Events). (topic, seq) is the key: reads are
 * always "a topic after seq N". Rows are written only by db/repositories/event-log.ts, which
 * allocates `seq` through TopicHead so it is gapless per topic.
 */
export const Event = defineEntity({
  name: 'Event',
  tableName: 'events',
  // Per topic, so one logical event may be mirrored to `job:` and `session:` topics under one key.
  uniques: [{ properties: ['topic', 'idempotencyKey'] }],
  properties: {
    topic: p.string().length(64).primary(),
    seq: p.integer().primary(),
    type: p.string().length(100),
    data: p.json<Record<string, unknown>>(),
    at: p.datetime(),
    /** Attempt-independent key of the write (e.g. `${workflowId}:${stage}:${name}`); a retry finds it. */
    idempotencyKey: p.string().length(500).nullable(),
  },
});
export type Event = InferEntity<typeof Event>;
