import { io, type Socket } from 'socket.io-client';
import type { JobDto } from '../domain/agents';
import { ErrorCode } from '../domain/errors';
import type { DurableEvent, Topic } from '../domain/events';
import type { AckError, ClientToServerEvents, CommandName, Delta, HandshakeRefusal, ServerToClientEvents } from '../domain/realtime';
import { ForgeApiError, statusOfCode } from './forge-api-error';
import { isRetryable, pause, retryDelayMs } from './retry-policy';
import type { TokenSession } from './token-session';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type CommandPayload<N extends CommandName> = Parameters<ClientToServerEvents[N]>[0];

export interface WatchOptions {
  /** The last seq already seen; events after it arrive, each once, in order. Default 0 (everything). */
  afterSeq?: number;
  /** Every durable event once, in order; `switch (event.type)` narrows `data` (domain/event-payloads.ts). */
  onEvent: (event: DurableEvent) => void;
  onDelta?: (delta: Delta & { topic: Topic }) => void;
  /** The watch was refused (not_found, unauthorized...) and has stopped. Transient faults are retried, not reported. */
  onError?: (error: ForgeApiError) => void;
}

export interface Watch {
  /** The last seq delivered to `onEvent`: where a later watch would resume. */
  readonly lastSeq: number;
  /** Resolves with the replay's `through` once the first subscription is live. */
  readonly ready: Promise<number>;
  close(): void;
}

export interface LiveOptions {
  url: string;
  path: string;
  session: TokenSession;
  /** Reconnect backoff bounds; jittered. */
  minDelayMs?: number;
  maxDelayMs?: number;
  ackTimeoutMs?: number;
}

interface Watcher {
  topic: Topic;
  lastSeq: number;
  options: WatchOptions;
  settle: { resolve(through: number): void; reject(err: ForgeApiError): void };
}

/** Codes worth retrying: the server or the budget, not the request. */
const transient = new Set<string>([ErrorCode.rateLimited, ErrorCode.unavailable, ErrorCode.internal]);
const toError = (error: AckError) => new ForgeApiError(statusOfCode[error.code] ?? 500, error.code, error.message, error.details);

/**
 * One socket.io connection shared by every watch and command of a client. It resubscribes each
 * topic from the last seq its watchers saw whenever it (re)connects, so a dropped connection,
 * an API restart or a `slow_consumer` cut costs a replay, never an event; events at or below a
 * watcher's last seq are dropped, so none arrives twice. An auth refusal refreshes the token
 * and reconnects; a second refusal in a row ends every watch with `unauthorized`.
 */
export function createLiveConnection(options: LiveOptions) {
  const { session } = options;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const ackTimeout = options.ackTimeoutMs ?? 30_000;
  const watchers = new Map<Topic, Watcher[]>();
  let socket: ClientSocket | null = null;
  let tokenInUse: string | null = null;
  let attempt = 0;
  let authRefusals = 0;
  let generation = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const backoff = () => Math.min(maxDelay, minDelay * 2 ** attempt++) * (0.5 + Math.random() / 2);
  const scheduleConnect = (delay = backoff()) => {
    clearTimeout(retry);
    retry = setTimeout(() => socket?.connect(), delay);
  };

  const subscribe = (topic: Topic) => {
    const list = watchers.get(topic);
    if (!socket?.connected || !list?.length) return;
    const sentIn = generation;
    const afterSeq = Math.min(...list.map((w) => w.lastSeq));
    socket.timeout(ackTimeout).emit('subscribe', { topic, afterSeq }, (err, ack) => {
      // Answers the watchers this request was for that are still watching; a reconnect made it moot.
      const asked = list.filter((w) => watchers.get(topic)?.includes(w));
      if (sentIn !== generation || asked.length === 0) return;
      if (err || (!ack.ok && transient.has(ack.error.code))) return void setTimeout(() => subscribe(topic), backoff());
      if (ack.ok) for (const w of asked) w.settle.resolve(ack.through);
      else fail(asked, toError(ack.error));
    });
  };

  const fail = (list: Watcher[], error: ForgeApiError) => {
    for (const w of list) {
      remove(w);
      w.settle.reject(error);
      w.options.onError?.(error);
    }
  };

  const remove = (w: Watcher) => {
    const list = watchers.get(w.topic);
    if (!list?.includes(w)) return;
    const rest = list.filter((other) => other !== w);
    if (rest.length > 0) watchers.set(w.topic, rest);
    else {
      watchers.delete(w.topic);
      if (socket?.connected) socket.emit('unsubscribe', { topic: w.topic }, () => {});
    }
  };

  const onConnectError = async (err: Error & { data?: HandshakeRefusal }) => {
    if (!err.data?.reason) {
      // A network fault: socket.io retries by itself unless the attempt was ours.
      if (!socket?.active) scheduleConnect();
      return;
    }
    const refreshed = authRefusals++ < 1 && (await session.refreshAfter(tokenInUse));
    if (refreshed) return scheduleConnect(0);
    const error = new ForgeApiError(401, ErrorCode.unauthorized, err.message, err.data);
    for (const list of [...watchers.values()]) fail(list, error);
    close();
  };

  const ensureSocket = (): ClientSocket => {
    if (socket) return socket;
    const created: ClientSocket = io(options.url, {
      path: options.path,
      transports: ['websocket'],
      reconnectionDelay: minDelay,
      reconnectionDelayMax: maxDelay,
      // Asked on every (re)connect, after any refresh in flight, so a reconnect never shows a spent token.
      auth: (cb) => void session.settled().then(() => cb({ token: (tokenInUse = session.accessToken) ?? '' })),
    });
    created.on('connect', () => {
      attempt = 0;
      authRefusals = 0;
      generation += 1;
      for (const topic of watchers.keys()) subscribe(topic);
    });
    created.on('event', (event) => {
      for (const w of watchers.get(event.topic) ?? []) {
        if (event.seq <= w.lastSeq) continue;
        w.lastSeq = event.seq;
        // The server's one writer checked the event against this union (db/repositories/event-log.ts).
        w.options.onEvent(event as DurableEvent);
      }
    });
    created.on('delta', (batch) => {
      for (const w of watchers.get(batch.topic) ?? []) for (const item of batch.items) w.options.onDelta?.({ topic: batch.topic, ...item });
    });
    created.on('connect_error', (err) => void onConnectError(err));
    created.on('disconnect', (reason) => {
      // The server ended the session on purpose: socket.io leaves reconnecting to us.
      if (reason === 'io server disconnect') scheduleConnect();
    });
    socket = created;
    return created;
  };

  /** Tries of one command, the first included. */
  const commandAttempts = 3;

  async function sendCommand<N extends CommandName>(name: N, payload: CommandPayload<N>): Promise<JobDto> {
    const live = ensureSocket();
    // One signature for the five commands: they share payload-and-ack shape and answer type.
    const send = live.timeout(ackTimeout).emitWithAck as (event: N, payload: CommandPayload<N>) => Promise<{ ok: true; job: JobDto } | { ok: false; error: AckError }>;
    const ack = await send.call(live, name, payload).catch(() => {
      throw new ForgeApiError(0, ErrorCode.unavailable, `No answer to ${name} within ${ackTimeout} ms; it may or may not have run`);
    });
    if (!ack.ok) throw toError(ack.error);
    return ack.job;
  }

  function close() {
    clearTimeout(retry);
    watchers.clear();
    socket?.disconnect();
    socket = null;
  }

  return {
    watch(topic: Topic, watchOptions: WatchOptions): Watch {
      let settle!: Watcher['settle'];
      const ready = new Promise<number>((resolve, reject) => { settle = { resolve, reject }; });
      ready.catch(() => {}); // reported through onError; awaiting `ready` is optional
      const watcher: Watcher = { topic, lastSeq: watchOptions.afterSeq ?? 0, options: watchOptions, settle };
      watchers.set(topic, [...(watchers.get(topic) ?? []), watcher]);
      ensureSocket();
      // A later watcher may start further back: resubscribing from the lowest seq serves both.
      subscribe(topic);
      return {
        get lastSeq() { return watcher.lastSeq; },
        ready,
        close: () => {
          remove(watcher);
          if (watchers.size === 0) close();
        },
      };
    },

    /**
     * Sends a command over the socket; resolves with the job, or throws ForgeApiError. The command
     * carries an idempotency key (the caller's, or a fresh one), so a lost ack or a 503 is resent
     * with it, bounded like REST retries: the server runs it once.
     */
    async command<N extends CommandName>(name: N, payload: CommandPayload<N>): Promise<JobDto> {
      const keyed = { idempotencyKey: globalThis.crypto.randomUUID(), ...payload };
      for (let attempt = 1; ; attempt++) {
        try {
          return await sendCommand(name, keyed);
        } catch (err) {
          if (!(err instanceof ForgeApiError) || !isRetryable(err) || attempt >= commandAttempts) throw err;
          await pause(retryDelayMs({ baseDelayMs: minDelay }, attempt, null));
        }
      }
    },

    close,
  };
}
export type LiveConnection = ReturnType<typeof createLiveConnection>;
