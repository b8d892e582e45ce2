import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { emptyUsage } from '../../domain/agents';
import { topicFor, type StoredEvent, type Topic } from '../../domain/events';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/realtime';
import type { MikroORM } from '../../db/orm';
import { appendEvents } from '../../db/repositories/event-log';
import type { TestApp } from './test-app';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The origin a socket.io client (or the SDK) connects to. */
export const originOf = (app: TestApp) => app.baseUrl.replace(/\/api\/v1$/, '');

/**
 * A job row of `orgId` (the row a `job:` topic is authorized by), with a session row for
 * `session:` topics. Written with SQL: only the ids and the organization matter here.
 */
export async function seedJob(orm: MikroORM, orgId: string, actorId: string) {
  const [jobId, sessionId, projectId] = [randomUUID(), randomUUID(), randomUUID()];
  const em = orm.em.fork();
  await em.execute(
    `insert into agent_sessions (id, created_at, organization_id, project_id, created_by_id, title, status, settings, usage)
     values (?, now(), ?, ?, ?, 'Test session', 'open', '{}'::jsonb, ?::jsonb)`,
    [sessionId, orgId, projectId, actorId, JSON.stringify(emptyUsage())],
  );
  await em.execute(
    `insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
     values (?, now(), ?, ?, ?, ?, 'codegen', 'Build a todo app', 'queued', ?::jsonb)`,
    [jobId, orgId, projectId, sessionId, actorId, JSON.stringify(emptyUsage())],
  );
  return { jobId, sessionId, topic: topicFor('job', jobId), sessionTopic: topicFor('session', sessionId) };
}

/** A raw typed socket.io client; resolves once connected, rejects with the `connect_error`. */
export function connectSocket(app: TestApp, token: string | undefined): Promise<TestSocket> {
  const socket: TestSocket = io(originOf(app), { transports: ['websocket'], auth: token === undefined ? {} : { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Every durable event a socket receives, per topic, in arrival order. */
export function recordEvents(socket: TestSocket) {
  const byTopic = new Map<Topic, StoredEvent[]>();
  socket.on('event', (event) => {
    const list = byTopic.get(event.topic) ?? [];
    list.push(event);
    byTopic.set(event.topic, list);
  });
  return {
    of: (topic: Topic) => byTopic.get(topic) ?? [],
    seqs: (topic: Topic) => (byTopic.get(topic) ?? []).map((e) => e.seq),
  };
}

/** Appends `count` events as a worker would, `batch` per transaction; `pad` adds bytes to each event. */
export async function appendMany(orm: MikroORM, topic: Topic, count: number, options: { batch?: number; pad?: number; from?: number } = {}) {
  const batch = options.batch ?? 1;
  const from = options.from ?? 1;
  const padding = 'x'.repeat(options.pad ?? 0);
  for (let i = 0; i < count; i += batch) {
    const events = Array.from({ length: Math.min(batch, count - i) }, (_, j) => ({
      type: 'plan.approved',
      data: { n: from + i + j, padding },
      key: `${topic}:${from + i + j}`,
    }));
    await appendEvents(orm.em.fork(), topic, events);
  }
}

export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

