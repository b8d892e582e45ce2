import { z } from 'zod';
import { Delta } from './realtime';
import { StoredEvent, Topic } from './events';

// What workers tell API nodes over Postgres NOTIFY: every node LISTENs and relays to its own
// sockets, so any number of API nodes deliver every event with no socket.io adapter between them.

/** Durable events, notified inside the append's transaction: delivered only on commit, in commit order. */
export const EventChannel = 'forge_events';
/** Transient deltas, notified outside any transaction: they never wait for, or hold up, an append. */
export const DeltaChannel = 'forge_deltas';

/** NOTIFY refuses payloads of 8000 bytes or more; stay under it with room for the channel name. */
export const NOTIFY_PAYLOAD_LIMIT = 7_500;

/**
 * An event too large to inline is sent by reference; the API reads it from the table. The append
 * itself (SQL function `forge_append_events`) chooses: the stored event as JSON when its text is under
 * NOTIFY_PAYLOAD_LIMIT bytes, else this reference.
 */
export const EventRef = z.object({ topic: Topic, seq: z.int().positive(), ref: z.literal(true) });
export const EventNotice = z.union([StoredEvent, EventRef]);
export type EventNotice = z.infer<typeof EventNotice>;

export const DeltaNotice = z.object({ topic: Topic, items: z.array(Delta).min(1) });
export type DeltaNotice = z.infer<typeof DeltaNotice>;

const encoder = new TextEncoder();
export const payloadBytes = (payload: string) => encoder.encode(payload).length;
