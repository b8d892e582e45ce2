import { NotFoundError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { EventDraft } from '../../domain/agent-workflows';
import type { JobError, JobPlan } from '../../domain/agents';
import type { TranscriptAuthor, TranscriptKind, TranscriptQuery } from '../../domain/conversation';
import { SessionMessage } from '../entities/index';
import type { ReportedJob } from './job-reports';
import { findPage } from './pagination';

type Entry = { author: TranscriptAuthor; kind: TranscriptKind; text: string; data: Record<string, unknown> };

/** Forge's words for how a turn ended; an answered question needs none (its answer is the reply). */
function outcomeOf(job: Pick<ReportedJob, 'plan'>, data: Record<string, unknown>): Entry | null {
  const version = typeof data.resultVersion === 'number' ? data.resultVersion : null;
  const error = (data.error ?? null) as JobError | null;
  const base = { author: 'forge' as const, kind: 'outcome' as const, data: { status: data.status, version, error } };
  if (data.status === 'completed') return version === null ? null : { ...base, text: `Saved version ${version}: ${job.plan?.message ?? 'changes applied'}` };
  if (data.status === 'failed') return { ...base, text: `The change failed (${error?.code ?? 'internal'}): ${error?.message ?? ''}` };
  return { ...base, text: `The change was cancelled${error ? `: ${error.message}` : ''}` };
}

/** The transcript entry a job event stands for, if any: the transcript is the conversational subset of the job's events. */
function entryOf(job: Pick<ReportedJob, 'content' | 'plan'>, event: EventDraft): Entry | null {
  const d = event.data;
  switch (event.type) {
    case 'job.stage':
      // Entering `intent` starts the turn (a queued message is not part of the conversation yet).
      return d.stage === 'intent' ? { author: 'user', kind: 'message', text: job.content, data: {} } : null;
    case 'answer':
      return { author: 'forge', kind: 'answer', text: String(d.text ?? ''), data: {} };
    case 'questions':
      return { author: 'forge', kind: 'questions', text: ((d.questions ?? []) as string[]).join('\n'), data: { questions: d.questions } };
    case 'questions.answered':
      return { author: 'user', kind: 'answer', text: String(d.answer ?? ''), data: {} };
    case 'plan':
      return { author: 'forge', kind: 'plan', text: (d as unknown as JobPlan).summary, data: { plan: d } };
    case 'plan.rejected':
      return { author: 'user', kind: 'feedback', text: String(d.feedback ?? ''), data: {} };
    case 'job.finished':
      return outcomeOf(job, d);
    default:
      return null;
  }
}

/** Whether a report with `events` writes to the transcript: whether an entry exists never depends on the job's row, only its text. */
export const transcribes = (events: readonly EventDraft[]): boolean => events.some((event) => entryOf({ content: '', plan: null }, event) !== null);

/**
 * Mirrors a job report's conversational events into the transcript, in the report's transaction.
 * The user's message is keyed by the job (once, however many runs), every other entry by its event's key.
 */
export async function recordTranscript(em: EntityManager, job: ReportedJob, events: EventDraft[]): Promise<void> {
  const rows = events.flatMap((event) => {
    const entry = entryOf(job, event);
    if (!entry) return [];
    const key = entry.kind === 'message' ? `message:${job.id}` : `${job.id}:${event.key}`;
    return [{ ...entry, sessionId: job.sessionId, jobId: job.id, idempotencyKey: key, createdAt: new Date() }];
  });
  if (rows.length === 0) return;
  await em.createQueryBuilder(SessionMessage).insert(rows).onConflict('idempotencyKey').ignore().execute();
}

const TranscriptCursor = z.tuple([z.number().int()]);

export const listTranscript = (em: EntityManager, sessionId: string, query: TranscriptQuery) =>
  findPage(query, TranscriptCursor, (window) => em.findByCursor(SessionMessage, { where: { sessionId }, orderBy: { id: query.order }, ...window }));

/** An entry as a model call of a later job reads it. */
export type PriorTurn = Pick<SessionMessage, 'id' | 'sessionId' | 'author' | 'kind' | 'text'>;

/**
 * Every entry of the job's session before the job's own turn (its first entry), oldest first: what a
 * model call of that job may see. One statement, as every model-calling activity asks: the session
 * comes from the job's row, and the left join keeps a row for a job whose session has no entries yet,
 * so a missing job is still an error (as findOneOrFail was).
 */
export async function entriesBefore(em: EntityManager, jobId: string): Promise<PriorTurn[]> {
  const rows = await em.execute<Array<{ session_id: string; id: string | null; author: PriorTurn['author']; kind: PriorTurn['kind']; text: string }>>(
    `with job as (select session_id from agent_jobs where id = ?),
          own as (select min(m.id) as id from session_messages m join job on m.session_id = job.session_id where m.job_id = ?)
     select job.session_id, m.id, m.author, m.kind, m.text
       from job left join session_messages m
         on m.session_id = job.session_id and m.job_id <> ? and (m.id < (select id from own) or (select id from own) is null)
      order by m.id`,
    [jobId, jobId, jobId],
  );
  if (rows.length === 0) throw NotFoundError.findOneFailed('AgentJob', { id: jobId });
  return rows.filter((row) => row.id !== null).map((row) => ({ id: Number(row.id), sessionId: row.session_id, author: row.author, kind: row.kind, text: row.text }));
}
