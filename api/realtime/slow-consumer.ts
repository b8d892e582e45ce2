import type { RealtimeSocket } from './socket-types';

export interface OutboundLimits {
  /** Packets queued for one socket beyond what the network has taken. */
  maxQueuedPackets: number;
  /** Characters of those packets: a few large events weigh as much as many small ones. */
  maxQueuedBytes: number;
}

/**
 * engine.io's per-connection internals this module reads: the queue of packets not yet handed to
 * the transport (typed private), and the raw `ws` socket under the websocket transport.
 */
interface EngineConnection {
  writeBuffer: Array<{ data?: unknown }>;
  transport: { socket?: { close(code: number, reason: string): void } };
  on(event: 'packetCreate', listener: (packet: { data?: unknown }) => void): void;
  on(event: 'flush', listener: (packets: Array<{ data?: unknown }>) => void): void;
  on(event: 'drain' | 'close', listener: () => void): void;
  off(event: 'drain' | 'close', listener: () => void): void;
  close(discard?: boolean): void;
}
const engine = (socket: RealtimeSocket) => socket.conn as unknown as EngineConnection;
const weight = (packet: { data?: unknown }) => (typeof packet.data === 'string' ? packet.data.length : 0);

export interface OutboundQueue {
  /** Past half the bound: a replay pauses here until the socket drains, so only live traffic can trip the cut. */
  backlogged(): boolean;
  /** Resolves once the queued packets went to the network, or the socket closed. */
  drained(): Promise<void>;
}

const queues = new WeakMap<RealtimeSocket, OutboundQueue>();

/**
 * Bounds what one socket may have queued. A client that cannot keep up would otherwise grow the
 * server's memory without end (the write path never blocks the relay), so past the bound it is
 * cut off once (`onOverflow`) instead of being sent a stream with holes; it resumes by cursor.
 */
export function guardOutbound(socket: RealtimeSocket, limits: OutboundLimits, onOverflow: () => void): void {
  const conn = engine(socket);
  let bytes = 0;
  let tripped = false;
  conn.on('packetCreate', (packet) => {
    bytes += weight(packet);
    if (tripped || (conn.writeBuffer.length < limits.maxQueuedPackets && bytes <= limits.maxQueuedBytes)) return;
    tripped = true;
    // Not from inside engine.io's send path (often the middle of a room broadcast).
    queueMicrotask(onOverflow);
  });
  conn.on('flush', (packets) => {
    for (const packet of packets) bytes -= weight(packet);
  });
  queues.set(socket, {
    backlogged: () => conn.writeBuffer.length * 2 >= limits.maxQueuedPackets || bytes * 2 >= limits.maxQueuedBytes,
    drained: () => {
      if (conn.writeBuffer.length === 0 || socket.disconnected) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          conn.off('drain', done);
          conn.off('close', done);
          resolve();
        };
        conn.on('drain', done);
        conn.on('close', done);
      });
    },
  });
}

/** The queue of a guarded socket. */
export function outboundOf(socket: RealtimeSocket): OutboundQueue {
  const queue = queues.get(socket);
  if (!queue) throw new Error('guardOutbound was not applied to this socket');
  return queue;
}

/**
 * Closes the connection with a WebSocket close code and reason the client reads in its
 * `disconnect` details (`context.code`), and frees the server side now: a graceful socket.io
 * disconnect would wait for the very queue that is not draining.
 */
export function closeConnection(socket: RealtimeSocket, code: number, reason: string): void {
  const conn = engine(socket);
  conn.transport.socket?.close(code, reason);
  conn.close(true);
}
