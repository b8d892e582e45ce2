import { z } from 'zod';
import { AnswerBody, RejectPlanBody, SendMessageBody, type JobDto } from './agents';
import type { ErrorCode } from './errors';
import { EventData, Topic, type StoredEvent } from './events';
import { IdempotencyKey } from './idempotency';
import { PG_INT_MAX } from './value-checks';

// The socket.io contract between the API and every client (DESIGN.md, Events). The server is
// `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`, the client
// `Socket<ServerToClientEvents, ClientToServerEvents>`; payloads are validated with these schemas.

/** A transient, live-only event (an LLM token, a build log line): never stored one by one. */
export const Delta = z.object({ type: z.string().min(1).max(100), data: EventData });
export type Delta = z.infer<typeof Delta>;

/** Deltas of one topic, batched so a topic costs a client at most ~20 messages a second. */
export const DeltaBatch = z.object({ topic: Topic, items: z.array(Delta) });
export type DeltaBatch = z.infer<typeof DeltaBatch>;

export const SubscribeRequest = z.object({ topic: Topic, afterSeq: z.int().nonnegative().max(PG_INT_MAX).default(0) });
export type SubscribeRequest = z.input<typeof SubscribeRequest>;
export const UnsubscribeRequest = z.object({ topic: Topic });
export type UnsubscribeRequest = z.infer<typeof UnsubscribeRequest>;

// Commands carry the same bodies as their REST twins, plus the id the REST path would hold and
// the Idempotency-Key the REST header would (a resend with the same key gets the first ack).
const idempotencyKey = IdempotencyKey.optional();
export const SendMessageCommand = SendMessageBody.extend({ sessionId: z.uuid(), idempotencyKey });
export type SendMessageCommand = z.infer<typeof SendMessageCommand>;
export const JobCommand = z.object({ jobId: z.uuid(), idempotencyKey });
export type JobCommand = z.infer<typeof JobCommand>;
export const RejectPlanCommand = RejectPlanBody.extend({ jobId: z.uuid(), idempotencyKey });
export type RejectPlanCommand = z.infer<typeof RejectPlanCommand>;
export const AnswerCommand = AnswerBody.extend({ jobId: z.uuid(), idempotencyKey });
export type AnswerCommand = z.infer<typeof AnswerCommand>;

export interface AckError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Every ack: `{ ok: true, ...result }` or `{ ok: false, error }`, with the REST error codes. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

/** `through`: the last seq replayed; live events follow it. */
export type SubscribeResult = { through: number };
export type CommandResult = { job: JobDto };

export interface ServerToClientEvents {
  /** A durable event: per topic, every seq after the subscription's `afterSeq` exactly once, in order. */
  event: (event: StoredEvent) => void;
  delta: (batch: DeltaBatch) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: AckCallback<SubscribeResult>) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: AckCallback) => void;
  send_message: (command: SendMessageCommand, ack: AckCallback<CommandResult>) => void;
  approve_plan: (command: JobCommand, ack: AckCallback<CommandResult>) => void;
  reject_plan: (command: RejectPlanCommand, ack: AckCallback<CommandResult>) => void;
  answer: (command: AnswerCommand, ack: AckCallback<CommandResult>) => void;
  cancel: (command: JobCommand, ack: AckCallback<CommandResult>) => void;
}

export type CommandName = 'send_message' | 'approve_plan' | 'reject_plan' | 'answer' | 'cancel';

/** API nodes share nothing over socket.io: they fan out through Postgres NOTIFY instead. */
export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string;
  /** When the handshake's access token expires (epoch ms): the connection is closed then. */
  tokenExpiresAt: number;
}

/** Why a handshake was refused: `connect_error` carries `{ message, data: HandshakeRefusal }`. */
export const HandshakeRefusalReason = z.enum(['token_missing', 'token_invalid', 'token_expired']);
export type HandshakeRefusalReason = z.infer<typeof HandshakeRefusalReason>;
export interface HandshakeRefusal {
  code: 'unauthorized';
  reason: HandshakeRefusalReason;
}

/**
 * WebSocket close codes (the 4000-4999 private range) the server closes a connection with.
 * Both mean "reconnect and resume from your last seq"; token_expired means refresh first.
 */
export const ServerCloseCode = { slowConsumer: 4008, tokenExpired: 4001 } as const;
export const ServerCloseReason = { slowConsumer: 'slow_consumer', tokenExpired: 'token_expired' } as const;
