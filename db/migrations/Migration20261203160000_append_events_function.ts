import { Migration } from '@mikro-orm/migrations';

/**
 * `forge_append_events(topic, events, channel, notify_limit)`: the event log's append
 * (db/repositories/event-log.ts) as one statement, so an append costs one round trip to Postgres
 * instead of about seven (BEGIN, head upsert, key lookup, an insert per event, head update,
 * NOTIFY, COMMIT). `events` is a JSON array of `{ type, data, key }`, already checked against
 * their schemas; the answer is a JSON array of the stored events `{ topic, seq, type, data, at }`
 * in input order. The caller passes the NOTIFY channel and payload limit (domain/event-notices.ts).
 *
 * Why it is correct in one statement: the upsert of the topic's `topic_heads` row locks it until
 * the transaction ends (the caller's, or the statement's own), so appends to one topic run one
 * after another and seq stays gapless. The keys are looked up only after that lock is held, and
 * the function is VOLATILE: in READ COMMITTED each statement of a volatile PL/pgSQL function takes
 * a fresh snapshot, so the lookup sees every event committed by the append that held the lock
 * before us (the outer `select` statement's snapshot, taken before the wait, would not). A key
 * repeated within one batch finds the row its first occurrence inserted (our own write).
 *
 * `at` is formatted exactly as readEvents formats it, and NOTIFY runs in the same transaction, so
 * API nodes hear of the events only on commit, in commit order, never of a rolled-back append. A
 * notice is the stored event, or `{ topic, seq, ref: true }` when its text reaches the limit.
 */
export class Migration20261203160000_append_events_function extends Migration {

  override name = 'Migration20261203160000_append_events_function';

  override up(): void | Promise<void> {
    // json, not jsonb: it keeps the keys in the order clients always got them (topic, seq, type, data, at).
    this.addSql(`create function forge_stored_event_json(e events) returns json language sql stable as $fn$
      select json_build_object('topic', e.topic, 'seq', e.seq, 'type', e.type, 'data', e.data,
        'at', to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    $fn$;`);
    this.addSql(`create function forge_append_events(p_topic text, p_events jsonb, p_channel text, p_notify_limit int)
      returns json language plpgsql volatile as $fn$
    declare
      v_first int;
      v_last int;
      v_event jsonb;
      v_key text;
      v_stored json;
      v_notice text;
      v_result json[] := '{}';
    begin
      insert into topic_heads as h (topic, last_seq) values (p_topic, 0)
        on conflict (topic) do update set last_seq = h.last_seq
        returning h.last_seq into v_first;
      v_last := v_first;
      for i in 0 .. jsonb_array_length(p_events) - 1 loop
        v_event := p_events -> i;
        v_key := v_event ->> 'key';
        v_stored := null;
        if v_key is not null then
          select forge_stored_event_json(e) into v_stored from events e where e.topic = p_topic and e.idempotency_key = v_key;
        end if;
        if v_stored is null then
          v_last := v_last + 1;
          -- clock_timestamp, not now(): events of one transaction still get distinct, ordered times.
          insert into events as e (topic, seq, type, data, at, idempotency_key)
            values (p_topic, v_last, v_event ->> 'type', v_event -> 'data', clock_timestamp(), v_key)
            returning forge_stored_event_json(e) into v_stored;
          v_notice := v_stored::text;
          if octet_length(v_notice) >= p_notify_limit then
            v_notice := json_build_object('topic', p_topic, 'seq', v_last, 'ref', true)::text;
          end if;
          perform pg_notify(p_channel, v_notice);
        end if;
        v_result := array_append(v_result, v_stored);
      end loop;
      if v_last > v_first then
        update topic_heads set last_seq = v_last where topic = p_topic;
      end if;
      return array_to_json(v_result);
    end
    $fn$;`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop function if exists forge_append_events(text, jsonb, text, int);');
    this.addSql('drop function if exists forge_stored_event_json(events);');
  }

}
