import { z } from 'zod';

/** What a topic can be about; a topic is `<kind>:<uuid>`, e.g. `job:9b2f...`. */
export const TopicKind = z.enum(['job', 'session', 'preview', 'deployment', 'project']);
export type TopicKind = z.infer<typeof TopicKind>;

export const Topic = z.templateLiteral([TopicKind, ':', z.uuid()]);
export type Topic = z.infer<typeof Topic>;

export function topicFor(kind: TopicKind, id: string): Topic {
  return Topic.parse(`${kind}:${id}`);
}

/** The kind and id a topic names, so a caller can check the subscriber may see that resource. */
export function splitTopic(topic: Topic): { kind: TopicKind; id: string } {
  const at = topic.indexOf(':');
  return { kind: TopicKind.parse(topic.slice(0, at)), id: topic.slice(at + 1) };
}

/**
 * Durable event types written today, exactly (docs/architecture.md lists them by topic). The log
 * itself stores any type string, so a new event kind needs no migration; clients switch on these
 * names and ignore ones they do not know.
 */
export const EventType = z.enum([
  // job:
  'job.stage',
  'questions',
  /** The user's answer to the job's questions, `{ answer, round }`. */
  'questions.answered',
  'answer',
  'plan',
  'plan.approved',
  'plan.rejected',
  'check.result',
  'version.saved',
  'job.finished',
  // session:
  'message',
  'session.closed',
  // preview: and deployment:
  'preview.started',
  'preview.status',
  'preview.extended',
  'build.stage',
  'health.check',
  'deployment.status',
  'deployment.deployed',
  'deployment.failed',
  'deployment.promoted',
  'deployment.rolled_back',
  // project:
  'version.committed',
  'project.deleted',
  // job: (a version's pull request)
  'github.pull_request',
]);
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
