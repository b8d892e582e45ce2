import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../domain/errors';
import { checkEventPayload, type NewEvent, type StoredEvent, type Topic } from '../../domain/events';
import { EventChannel, eventNoticePayload } from '../../domain/event-notices';

interface EventRow {
  topic: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: string;
  idempotency_key: string | null;
}

// `at` formatted by Postgres: the driver hands timestamptz back as text, not as an ISO string.
const columns = `topic, seq, type, data, idempotency_key,
  to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`;

function toStored(row: EventRow): StoredEvent {
  return { topic: row.topic as Topic, seq: row.seq, type: row.type, data: row.data, at: row.at };
}

/**
 * Appends `events` to `topic` in one transaction and returns them as stored, in input order.
 *
 * Gapless seq: the transaction first upserts the topic's `topic_heads` row, which row-locks it
 * until commit, so appends to one topic run one after another and a rolled-back append never
 * moved the head. Idempotency: keys are looked up only after that lock is held, so a retry that
 * races its own first attempt still sees the committed event (checking before the lock would let
 * both pass and one fail on the unique constraint). An event whose key is already stored is not
 * written again; the stored one is returned instead. Newly written events are announced on
 * NOTIFY channel `forge_events` for the API nodes' socket.io relay (domain/event-notices.ts).
 * An event of an unlisted type, or whose data does not match its type's schema, is refused.
 */
export async function appendEvents(em: EntityManager, topic: Topic, events: readonly NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  // The one writer checks every event against the union clients are typed by (domain/event-payloads.ts).
  for (const event of events) {
    const checked = checkEventPayload(event.type, event.data);
    if (!checked.success) throw new AppError(ErrorCode.invalidInput, `Event ${event.type} on ${topic} does not match its schema`, { issues: checked.error.issues });
  }
  return em.transactional(async (tx) => {
    const [head] = await tx.execute<{ last_seq: number }[]>(
      `insert into topic_heads (topic, last_seq) values (?, 0)
       on conflict (topic) do update set last_seq = topic_heads.last_seq
       returning last_seq`,
      [topic],
    );
    let lastSeq = head!.last_seq;

    const keys = events.flatMap((e) => (e.key === null ? [] : [e.key]));
    const byKey = new Map<string, StoredEvent>();
    if (keys.length > 0) {
      const existing = await tx.execute<EventRow[]>(
        `select ${columns} from events where topic = ? and idempotency_key in (?)`,
        [topic, keys],
      );
      for (const row of existing) byKey.set(row.idempotency_key!, toStored(row));
    }

    const stored: StoredEvent[] = [];
    const notices: string[] = [];
    for (const event of events) {
      const known = event.key === null ? undefined : byKey.get(event.key);
      if (known) {
        stored.push(known);
        continue;
      }
      lastSeq += 1;
      // clock_timestamp, not now(): events of one transaction still get distinct, ordered times.
      const [row] = await tx.execute<EventRow[]>(
        `insert into events (topic, seq, type, data, at, idempotency_key)
         values (?, ?, ?, ?::jsonb, clock_timestamp(), ?)
         returning ${columns}`,
        [topic, lastSeq, event.type, JSON.stringify(event.data), event.key],
      );
      const written = toStored(row!);
      if (event.key !== null) byKey.set(event.key, written);
      stored.push(written);
      notices.push(eventNoticePayload(written));
    }
    await tx.execute('update topic_heads set last_seq = ? where topic = ?', [lastSeq, topic]);
    // Inside the transaction: API nodes hear of the events only once they commit, in commit order
    // (which the topic_heads lock makes seq order), and never of a rolled-back append.
    if (notices.length > 0) {
      await tx.execute('select pg_notify(?, notice) from jsonb_array_elements_text(?::jsonb) as notice', [EventChannel, JSON.stringify(notices)]);
    }
    return stored;
  });
}

/** Events of `topic` with seq > `afterSeq`, oldest first, at most `limit` (a page of a replay). */
export async function readEvents(em: EntityManager, topic: Topic, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  const rows = await em.execute<EventRow[]>(
    `select ${columns} from events where topic = ? and seq > ? order by seq limit ?`,
    [topic, afterSeq, limit],
  );
  return rows.map(toStored);
}

/** The last committed seq of `topic` (0 for a topic with no events): where a replay ends and live begins. */
export async function topicHighWater(em: EntityManager, topic: Topic): Promise<number> {
  const [row] = await em.execute<{ last_seq: number }[]>('select last_seq from topic_heads where topic = ?', [topic]);
  return row?.last_seq ?? 0;
}
