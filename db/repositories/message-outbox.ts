import type { EntityManager } from '@mikro-orm/postgresql';
import { cancelUnqueuedJobs } from './queued-jobs';

/** An admitted message still to be handed to its session workflow (`message_outbox`, written by forge_admit_messages). */
export interface OutboxMessage {
  jobId: string;
  sessionId: string;
  content: string;
  actorId: string;
  tokenCap: number;
}

/** What a claim returns: the outbox row (`o`) and its job (`j`). */
const claimedColumns = 'o.job_id, j.session_id, j.content, j.actor_id, o.token_cap, o.created_at';

type OutboxRow = { job_id: string; session_id: string; content: string; actor_id: string; token_cap: string; created_at: Date };

const claimed = (rows: OutboxRow[]): OutboxMessage[] =>
  rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
    .map((r) => ({ jobId: r.job_id, sessionId: r.session_id, content: r.content, actorId: r.actor_id, tokenCap: Number(r.token_cap) }));

/**
 * Claims for `leaseSeconds` up to `limit` messages whose claim ran out, oldest first; another node's
 * sweep skips them. Only a job still `queued` is delivered again: one that started or ended shows its
 * session had it (a node died after the signal, before the row went), so its row just goes.
 */
export async function claimDueMessages(em: EntityManager, leaseSeconds: number, limit: number): Promise<OutboxMessage[]> {
  return claimed(await em.execute<OutboxRow[]>(
    `with stale as (delete from message_outbox o using agent_jobs j
                     where j.id = o.job_id and j.status <> 'queued' and o.claimed_until <= now()),
          due as (select o.job_id from message_outbox o join agent_jobs j on j.id = o.job_id
                   where o.claimed_until <= now() and j.status = 'queued' order by o.created_at limit ? for update of o skip locked)
     update message_outbox o set claimed_until = now() + make_interval(secs => ?)
       from due, agent_jobs j where o.job_id = due.job_id and j.id = o.job_id
     returning ${claimedColumns}`,
    [limit, leaseSeconds],
  ));
}

/** Claims one message when nobody holds it and its job is still queued (a client's retry of its request). */
export async function claimMessage(em: EntityManager, jobId: string, leaseSeconds: number): Promise<OutboxMessage | undefined> {
  return claimed(await em.execute<OutboxRow[]>(
    `update message_outbox o set claimed_until = now() + make_interval(secs => ?)
       from agent_jobs j where o.job_id = ? and o.claimed_until <= now() and j.id = o.job_id and j.status = 'queued'
     returning ${claimedColumns}`,
    [leaseSeconds, jobId],
  ))[0];
}

/** The session has the message. */
export async function messageDelivered(em: EntityManager, jobId: string): Promise<void> {
  await em.execute('delete from message_outbox where job_id = ?', [jobId]);
}

/** Delivery failed for now (Temporal down): the next sweep of any node tries again. */
export async function releaseMessage(em: EntityManager, jobId: string): Promise<void> {
  await em.execute('update message_outbox set claimed_until = now() where job_id = ?', [jobId]);
}

/** Its session has ended (closed meanwhile): the message can never run, so its job ends `cancelled`. */
export async function dropUndeliverable(em: EntityManager, message: OutboxMessage): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.execute('delete from message_outbox where job_id = ?', [message.jobId]);
    await cancelUnqueuedJobs(tx, message.sessionId, message.jobId);
  });
}

/**
 * Cancels a queued message its session has not received: its outbox row goes, so no node delivers
 * it, and its job ends `cancelled`. `delivering`: a node holds it and is signalling the session now;
 * `delivered`: no outbox row (the session has it, or it was never the outbox's).
 */
export async function cancelUndelivered(em: EntityManager, job: { id: string; sessionId: string }): Promise<'cancelled' | 'delivering' | 'delivered'> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ free: boolean; held: boolean }>>(
      `with gone as (delete from message_outbox where job_id = ? and claimed_until <= now() returning job_id)
       select exists (select 1 from gone) as free, exists (select 1 from message_outbox where job_id = ?) as held`,
      [job.id, job.id],
    );
    if (row!.free) {
      await cancelUnqueuedJobs(tx, job.sessionId, job.id);
      return 'cancelled';
    }
    // The statement's snapshot still shows a row it deleted; one it did not delete is held by a node.
    return row!.held ? 'delivering' : 'delivered';
  });
}
