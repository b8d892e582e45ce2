import type { EntityManager } from '@mikro-orm/postgresql';
import type { Usage } from '../../domain/usage';

/** A file a generation activity wrote: its stored blob and what the model calls for it cost. */
export interface GeneratedFile {
  hash: string;
  usage: Usage;
}

/** What an earlier attempt of this activity already wrote, by path. */
export async function generatedBy(em: EntityManager, activityKey: string): Promise<Map<string, GeneratedFile>> {
  const rows = await em.execute<Array<{ path: string; hash: string; usage: Usage }>>('select path, hash, usage from generated_files where activity_key = ?', [activityKey]);
  return new Map(rows.map((row) => [row.path, { hash: row.hash, usage: row.usage }]));
}

/** Records one written file; a repeat of the same write is a no-op. */
export async function recordGenerated(em: EntityManager, input: { jobId: string; activityKey: string; path: string } & GeneratedFile): Promise<void> {
  await em.execute(
    'insert into generated_files (activity_key, path, job_id, hash, usage, created_at) values (?, ?, ?, ?, ?::jsonb, now()) on conflict do nothing',
    [input.activityKey, input.path, input.jobId, input.hash, JSON.stringify(input.usage)],
  );
}

/** Once the job has ended no activity of it retries: its rows are no longer needed. */
export async function forgetGenerated(em: EntityManager, jobId: string): Promise<void> {
  await em.execute('delete from generated_files where job_id = ?', [jobId], 'run', em.getTransactionContext());
}
