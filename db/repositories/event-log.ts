import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../domain/errors';
import { checkEventPayload, type NewEvent, type StoredEvent, type Topic } from '../../domain/events';
import { EventChannel, NOTIFY_PAYLOAD_LIMIT } from '../../domain/event-notices';

/**
 * Appends `events` to `topic` and returns them as stored, in input order: one statement, the SQL
 * function `forge_append_events` (db/migrations/Migration20261203160000_append_events_function.ts, which
 * explains why one statement is enough), so an append costs one round trip to Postgres.
 *
 * Gapless seq: the function first upserts the topic's `topic_heads` row, which row-locks it
 * until commit, so appends to one topic run one after another and a rolled-back append never
 * moved the head. Idempotency: keys are looked up only after that lock is held, so a retry that
 * races its own first attempt still sees the committed event (checking before the lock would let
 * both pass and one fail on the unique constraint). An event whose key is already stored is not
 * written again; the stored one is returned instead. Newly written events are announced on
 * NOTIFY channel `forge_events` for the API nodes' socket.io relay (domain/event-notices.ts).
 * An event of an unlisted type, or whose data does not match its type's schema, is refused.
 *
 * `em.execute` runs on the caller's transaction when `em` is one (reportJob, cancelUnqueuedJobs):
 * the events then commit or roll back with the caller's rows. Otherwise the statement is its own
 * transaction. No savepoint: a failed append fails the caller's transaction, as it always did.
 */
export async function appendEvents(em: EntityManager, topic: Topic, events: readonly NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const append = appendEventsCall(topic, events);
  const [row] = await em.execute<{ stored: StoredEvent[] }[]>(`select ${append.sql} as stored`, append.params);
  return row!.stored;
}

/** An SQL expression and its parameters, to be run inside another statement (one round trip for both). */
export interface SqlCall {
  sql: string;
  params: unknown[];
}

/** Every event checked against the union clients are typed by (domain/event-payloads.ts), before anything is written. */
export function checkEvents(topic: Topic, events: readonly NewEvent[]): void {
  for (const event of events) {
    const checked = checkEventPayload(event.type, event.data);
    if (!checked.success) throw new AppError(ErrorCode.invalidInput, `Event ${event.type} on ${topic} does not match its schema`, { issues: checked.error.issues });
  }
}

/** The append as a call of `forge_append_events`, its events checked here: for a statement that does more (message admission, reportJob). */
export function appendEventsCall(topic: Topic, events: readonly NewEvent[]): SqlCall {
  checkEvents(topic, events);
  return { sql: 'forge_append_events(?, ?::jsonb, ?, ?)', params: [topic, JSON.stringify(events), EventChannel, NOTIFY_PAYLOAD_LIMIT] };
}

/** Events of `topic` with seq > `afterSeq`, oldest first, at most `limit` (a page of a replay). */
export async function readEvents(em: EntityManager, topic: Topic, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  // forge_stored_event_json formats `at` as an ISO string in Postgres, exactly as appendEvents returns it.
  const rows = await em.execute<{ event: StoredEvent }[]>(
    `select forge_stored_event_json(e) as event from events e
      where e.topic = ? and e.seq > ? order by e.seq limit ?`,
    [topic, afterSeq, limit],
  );
  return rows.map((r) => r.event);
}

/** The last committed seq of `topic` (0 for a topic with no events): where a replay ends and live begins. */
export async function topicHighWater(em: EntityManager, topic: Topic): Promise<number> {
  const [row] = await em.execute<{ last_seq: number }[]>('select last_seq from topic_heads where topic = ?', [topic]);
  return row?.last_seq ?? 0;
}
