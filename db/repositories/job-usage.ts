import type { EntityManager } from '@mikro-orm/postgresql';

export interface ProjectUsageRow {
  projectId: string;
  /** Null once the project is deleted: jobs keep no foreign key to it, so their usage still counts. */
  name: string | null;
  jobs: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Token usage of an organization's jobs created in `[from, to)`, summed per project in SQL (a
 * month of jobs never travels to the API). Every job counts, whatever its status: a failed or
 * cancelled job spent its tokens too.
 */
export async function sumJobUsageByProject(em: EntityManager, organizationId: string, from: Date, to: Date): Promise<ProjectUsageRow[]> {
  const rows = await em.getConnection().execute<Array<Record<string, string | number | null>>>(
    `select j.project_id, p.name, count(*) as jobs,
            coalesce(sum((j.usage->>'calls')::bigint), 0) as calls,
            coalesce(sum((j.usage->>'promptTokens')::bigint), 0) as prompt_tokens,
            coalesce(sum((j.usage->>'completionTokens')::bigint), 0) as completion_tokens
       from agent_jobs j left join projects p on p.id = j.project_id
      where j.organization_id = ? and j.created_at >= ? and j.created_at < ?
      group by j.project_id, p.name`,
    [organizationId, from, to],
  );
  // Postgres sums bigints as numeric, which pg returns as strings.
  return rows.map((r) => ({
    projectId: String(r.project_id),
    name: r.name === null ? null : String(r.name),
    jobs: Number(r.jobs),
    calls: Number(r.calls),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
  }));
}
