import { isUuid } from './value-checks';

// Realtime topic names without zod, for workflows (domain/value-checks.ts says why); the zod
// schemas of topics in domain/events.ts are built from the same words.

/** What a topic can be about; a topic is `<kind>:<uuid>`, e.g. `job:9b2f...`. */
export const topicKinds = ['job', 'session', 'preview', 'deployment', 'project'] as const;
export type TopicKind = (typeof topicKinds)[number];
export type Topic = `${TopicKind}:${string}`;

/** Throws on anything but a known kind and a UUID: a topic names exactly one resource. */
export function topicFor(kind: TopicKind, id: string): Topic {
  if (!topicKinds.includes(kind) || !isUuid(id)) throw new TypeError(`Not a topic: ${kind}:${id}`);
  return `${kind}:${id}`;
}
