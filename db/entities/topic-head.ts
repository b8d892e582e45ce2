import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The last seq handed out per topic. Appends lock this row for their transaction, which is what
 * makes seq gapless under concurrency: a rolled-back append never moved it.
 */
export const TopicHead = defineEntity({
  name: 'TopicHead',
  tableName: 'topic_heads',
  properties: {
    topic: p.string().length(64).primary(),
    lastSeq: p.integer(),
  },
});
export type TopicHead = InferEntity<typeof TopicHead>;
