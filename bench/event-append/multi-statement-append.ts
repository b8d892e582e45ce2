import type { EntityManager } from '@mikro-orm/postgresql';
import { EventChannel, NOTIFY_PAYLOAD_LIMIT, payloadBytes } from '../../domain/event-notices';
import type { NewEvent, StoredEvent, Topic } from '../../domain/events';

// The bench's baseline: appendEvents as it was before the SQL function forge_append_events
// (db/migrations/Migration20261203160000_append_events_function.ts), one query per step in a
// transaction (a savepoint inside a caller's), so both run in the same bench on the same database.
// Same semantics; the payload check, identical on both sides, is left out.

interface EventRow {
  topic: Topic;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: string;
  idempotency_key: string | null;
}

const columns = `topic, seq, type, data, idempotency_key,
  to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`;

const toStored = ({ topic, seq, type, data, at }: EventRow): StoredEvent => ({ topic, seq, type, data, at });

function noticePayload(event: StoredEvent): string {
  const inline = JSON.stringify(event);
  if (payloadBytes(inline) < NOTIFY_PAYLOAD_LIMIT) return inline;
  return JSON.stringify({ topic: event.topic, seq: event.seq, ref: true });
}

export async function multiStatementAppend(em: EntityManager, topic: Topic, events: readonly NewEvent[]): Promise<StoredEvent[]> {
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
      const existing = await tx.execute<EventRow[]>(`select ${columns} from events where topic = ? and idempotency_key in (?)`, [topic, keys]);
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
      const [row] = await tx.execute<EventRow[]>(
        `insert into events (topic, seq, type, data, at, idempotency_key)
         values (?, ?, ?, ?::jsonb, clock_timestamp(), ?)
         returning ${columns}`,
        [topic, lastSeq, event.type, JSON.stringify(event.data), event.key],
      );
      const written = toStored(row!);
      if (event.key !== null) byKey.set(event.key, written);
      stored.push(written);
      notices.push(noticePayload(written));
    }
    await tx.execute('update topic_heads set last_seq = ? where topic = ?', [lastSeq, topic]);
    if (notices.length > 0) {
      await tx.execute('select pg_notify(?, notice) from jsonb_array_elements_text(?::jsonb) as notice', [EventChannel, JSON.stringify(notices)]);
    }
    return stored;
  });
}
