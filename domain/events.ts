import { z } from 'zod';
import { eventPayloads, type EventPayloads } from './event-payloads';
import { topicKinds } from './topics';

export type { EventPayloads };

/** What a topic can be about; a topic is `<kind>:<uuid>` (the words and `topicFor`: domain/topics.ts). */
export const TopicKind = z.enum(topicKinds);
export type TopicKind = z.infer<typeof TopicKind>;

export const Topic = z.templateLiteral([TopicKind, ':', z.uuid()]);
export type Topic = z.infer<typeof Topic>;
export { topicFor } from './topics';

/** The kind and id a topic names, so a caller can check the subscriber may see that resource. */
export function splitTopic(topic: Topic): { kind: TopicKind; id: string } {
  const at = topic.indexOf(':');
  return { kind: TopicKind.parse(topic.slice(0, at)), id: topic.slice(at + 1) };
}

/**
 * Durable event types written today, exactly: the keys of `eventPayloads` (domain/event-payloads.ts,
 * one schema per type; docs/architecture.md lists them by topic). The log stores any type string,
 * so a new kind needs no migration, only its schema there; clients ignore types they do not know.
 */
export const EventType = z.enum(Object.keys(eventPayloads) as [keyof EventPayloads, ...(keyof EventPayloads)[]]);
export type EventType = z.infer<typeof EventType>;

export const EventData = z.record(z.string(), z.unknown());
export type EventData = z.infer<typeof EventData>;

/** One entry of the durable log: `seq` starts at 1 and is gapless and increasing within its topic. */
export const StoredEvent = z.object({
  topic: Topic,
  seq: z.int().positive(),
  type: z.string(),
  data: EventData,
  at: z.iso.datetime({ offset: true }),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/**
 * A stored event as one discriminated union over `type`: a client's `switch (event.type)` narrows
 * `data` and can be checked exhaustive. What the SDK's `onEvent` receives.
 */
export type DurableEvent = { [K in EventType]: Omit<StoredEvent, 'type' | 'data'> & { type: K; data: EventPayloads[K] } }[EventType];

/**
 * Checks an event before it is written: a listed type with data matching its schema. The log's one
 * writer calls it, so no code path can append a type clients were never told about.
 */
export function checkEventPayload(type: string, data: unknown): z.ZodSafeParseResult<unknown> {
  const schema = (eventPayloads as Record<string, z.ZodType>)[type];
  if (!schema) return EventType.safeParse(type);
  return schema.safeParse(data);
}

/**
 * An event to append. `key` makes the append idempotent: an attempt-independent name such as
 * `${workflowId}:${stage}:${name}`, so a retried activity finds its event instead of writing it
 * twice. `null` only for writes that cannot repeat (e.g. inside the request transaction that
 * caused them).
 */
export const NewEvent = z.object({
  type: z.string().min(1).max(100),
  data: EventData,
  key: z.string().min(1).max(500).nullable(),
});
export type NewEvent = z.infer<typeof NewEvent>;
