import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Logger } from 'pino';
import type { MikroORM } from '../../db/orm';
import { claimDueMessages, claimMessage, dropUndeliverable, messageDelivered, releaseMessage, type OutboxMessage } from '../../db/repositories/message-outbox';
import { perKeyQueue } from '../../domain/per-key';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { queueMessageSignal } from '../../workflows/session-signals';
import type { ApiMetrics } from '../metrics/api-metrics';
import { isClosedWorkflowError } from './temporal-errors';

/** How long the node that admitted or swept a message has it to itself; past it, any node's sweep delivers it. */
export const DELIVERY_LEASE_SECONDS = 30;
type DeliveryOutcome = 'delivered' | 'retry' | 'cancelled';

/** Messages one sweep claims at most. */
const SWEEP_LIMIT = 100;

/**
 * Hands admitted messages to their session workflows (the `queueMessage` signal) from the outbox
 * (db/repositories/message-outbox.ts), after the request has answered: accepting a message waits for
 * Postgres only. The admitting node delivers at once; a sweep every `sweepEveryMs` delivers what is
 * left (Temporal was down, a node died holding the claim). One session's messages go in admission
 * order on a node; a session whose workflow has ended cancels the message's job. A message is delivered again
 * only while its job is `queued` (a node died after the signal, before its row went), and a session
 * queues a job id once, so it runs once.
 */
/**
 * The session's workflow ran and has ended (closed, or terminated by an operator): its messages can
 * never run. One this namespace has never seen is not that (a node configured for another one).
 */
async function ended(session: WorkflowHandle): Promise<boolean> {
  const described = await session.describe().catch((err: unknown) => {
    if (isClosedWorkflowError(err)) return undefined;
    throw err;
  });
  return described !== undefined && described.status.name !== 'RUNNING';
}

export function createMessageDelivery(temporal: Client, orm: MikroORM, logger: Logger, metrics: Pick<ApiMetrics, 'messageDeliveries'>, sweepEveryMs: number) {
  const inOrder = perKeyQueue();
  const running = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;

  const signal = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
    const em = orm.em.fork();
    const session = temporal.workflow.getHandle(sessionWorkflowId(message.sessionId));
    try {
      const { jobId, content, actorId, tokenCap } = message;
      await session.signal(queueMessageSignal, { jobId, content, actorId, tokenBudget: tokenCap });
    } catch (err) {
      // Not found, and found ended: only then is the message undeliverable (a failed look is a retry).
      if (!isClosedWorkflowError(err) || !(await ended(session).catch(() => false))) {
        await releaseMessage(em, message.jobId);
        logger.warn({ err, jobId: message.jobId }, 'message not delivered yet; a sweep retries it');
        return 'retry';
      }
      await dropUndeliverable(em, message);
      logger.info({ jobId: message.jobId, sessionId: message.sessionId }, 'message for an ended session cancelled');
      return 'cancelled';
    }
    await messageDelivered(em, message.jobId);
    return 'delivered';
  };
  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  const deliver = (message: OutboxMessage, via: 'admission' | 'sweep') => {
    const work = inOrder(message.sessionId, () => signal(message)).then(
      (outcome) => void metrics.messageDeliveries.inc({ via, outcome }),
      // The database failed on the way (the row stays claimed until its lease runs out).
      (err: unknown) => logger.error({ err, jobId: message.jobId }, 'message delivery failed'),
    );
    track(work);
    return work;
  };
  const sweep = async () => {
    const due = await claimDueMessages(orm.em.fork(), DELIVERY_LEASE_SECONDS, SWEEP_LIMIT);
    await Promise.all(due.map((message) => deliver(message, 'sweep')));
  };

  return {
    /**
     * A message this node has just admitted (the outbox row's claim is its own): signalled once the
     * request's answer is written (the next turn of the event loop), not before it.
     */
    deliver: (message: OutboxMessage): void => track(new Promise((resolve) => setImmediate(resolve)).then(() => deliver(message, 'admission'))),
    /** A client's retry of a message still in the outbox: delivered when no node holds it. */
    async redeliver(jobId: string): Promise<void> {
      const message = await claimMessage(orm.em.fork(), jobId, DELIVERY_LEASE_SECONDS);
      if (message) void deliver(message, 'admission');
    },
    /** Delivers every message whose claim ran out, oldest first. */
    sweep,
    start(): void {
      timer = setInterval(() => track(sweep().catch((err: unknown) => logger.warn({ err }, 'message sweep failed'))), sweepEveryMs);
      timer.unref();
    },
    /** Stops sweeping and waits for the deliveries under way (before the Temporal connection closes). */
    async close(): Promise<void> {
      clearInterval(timer);
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type MessageDelivery = ReturnType<typeof createMessageDelivery>;
