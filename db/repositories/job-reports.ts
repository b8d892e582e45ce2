import { NotFoundError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobPatch } from '../../domain/agent-workflows';
import type { AgentJob } from '../entities/index';
import type { SqlCall } from './event-log';

const terminal = new Set(['completed', 'failed', 'cancelled']);

/** Whether a patch ends a run (a terminal status), which brings the once-per-run writes. */
export const endsRun = (patch: JobPatch): boolean => patch.status !== undefined && terminal.has(patch.status);

/** The patch's plain fields: column, and whether the value is stored as jsonb. */
const columns = {
  status: ['status', false],
  stage: ['stage', false],
  intent: ['intent', false],
  plan: ['plan', true],
  answer: ['answer', false],
  questions: ['questions', true],
  baseVersion: ['base_version', false],
  resultVersion: ['result_version', false],
  error: ['error', true],
  usage: ['usage', true],
  checkpoint: ['checkpoint', true],
} as const satisfies Record<keyof JobPatch, readonly [string, boolean]>;

/** What a report needs of the row it patched (recordTranscript, the audit, the session's usage). */
export type ReportedJob = Pick<AgentJob, 'id' | 'sessionId' | 'organizationId' | 'content' | 'plan'>;

/**
 * Applies a report's patch to the job row in one statement (`update ... returning`), with the
 * run rules evaluated on the row as it was, under its row lock:
 * - progress (a non-terminal status) on a row a previous run finished means a new run (an
 *   operator's reset): the row is reopened (finishedAt, resultVersion and error cleared);
 * - `running` sets startedAt once;
 * - a terminal status sets finishedAt once per run: a retried terminal report finds it set, and
 *   `finished` is then false, so the caller's once-per-run work (audit, cleanup) is not repeated.
 * A patch without fields only reads the row. `at` is the report's clock (startedAt, finishedAt).
 * `append` (event-log.ts appendEventsCall) rides in the same statement, after the row: one round
 * trip, atomic without a transaction, and no events for a row that does not exist.
 */
export async function applyJobPatch(
  em: EntityManager,
  jobId: string,
  patch: JobPatch,
  at: Date,
  append?: SqlCall,
): Promise<{ job: ReportedJob; finished: boolean }> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const reopening = patch.status !== undefined && !terminal.has(patch.status);
  const value = (key: keyof JobPatch) => {
    const [, json] = columns[key];
    const given = patch[key];
    // null is SQL null (a cleared error), never the JSON literal.
    params.push(json && given !== null ? JSON.stringify(given) : given);
    return json ? '?::jsonb' : '?';
  };
  for (const key of Object.keys(columns) as Array<keyof JobPatch>) {
    // An absent checkpoint keeps the stored one (a report of a stage that has none to add).
    if (patch[key] === undefined || (key === 'checkpoint' && !patch.checkpoint)) continue;
    if (reopening && (key === 'resultVersion' || key === 'error')) continue;
    sets.push(`${columns[key][0]} = ${value(key)}`);
  }
  if (reopening) {
    // A reopened row drops the previous run's result, whatever the patch said about it.
    for (const key of ['resultVersion', 'error'] as const) {
      const [column] = columns[key];
      const kept = patch[key] === undefined ? `j.${column}` : value(key);
      sets.push(`${column} = case when old.finished_at is null then ${kept} else null end`);
    }
    sets.push('finished_at = null');
  }
  if (patch.status === 'running') {
    sets.push('started_at = coalesce(j.started_at, ?::timestamptz)');
    params.push(at);
  }
  if (patch.status && terminal.has(patch.status)) {
    sets.push('finished_at = coalesce(j.finished_at, ?::timestamptz)');
    params.push(at);
  }

  const returning = 'j.id, j.session_id, j.organization_id, j.content, j.plan';
  // `old` is the row before this statement (SET and RETURNING see new values in Postgres < 18); its FOR UPDATE takes the row lock first.
  const sql = sets.length === 0
    ? `select ${returning}, true as was_open from agent_jobs j where j.id = ?`
    : `update agent_jobs j set ${sets.join(', ')}
         from (select finished_at from agent_jobs where id = ? for update) old
        where j.id = ? returning ${returning}, old.finished_at is null as was_open`;
  const sqlParams = sets.length === 0 ? [jobId] : [...params, jobId, jobId];
  const [row] = await em.execute<Array<{ id: string; session_id: string; organization_id: string; content: string; plan: AgentJob['plan']; was_open: boolean }>>(
    append ? `with reported as (${sql}) select reported.*, ${append.sql} as stored from reported` : sql,
    append ? [...sqlParams, ...append.params] : sqlParams,
  );
  if (!row) throw NotFoundError.findOneFailed('AgentJob', { id: jobId });
  return {
    job: { id: row.id, sessionId: row.session_id, organizationId: row.organization_id, content: row.content, plan: row.plan },
    finished: endsRun(patch) && row.was_open,
  };
}
