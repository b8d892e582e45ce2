import { Migration } from '@mikro-orm/migrations';

/**
 * Quota amounts as SQL functions, the one definition both the usage report (db/repositories/
 * quota-usage.ts) and message admission read, and `forge_admit_message`: the organization's quota
 * lock, the amounts, the verdict and the new job's row in one statement. Called on its own it is its
 * own transaction, so the lock is held for the few milliseconds the statement runs, not for the round
 * trips of a transaction driven from the API; called inside a transaction (a job's retry), the lock
 * lasts until that transaction ends. Each statement of a plpgsql function reads a fresh snapshot
 * under READ COMMITTED, so the amounts counted after the lock see every admission committed before it.
 */
export class Migration20261203153000_quota_functions extends Migration {

  override name = 'Migration20261203153000_quota_functions';

  override up(): void | Promise<void> {
    // What admission counts per organization: jobs this minute and this month.
    this.addSql(`create index "agent_jobs_organization_id_created_at_index" on "agent_jobs" ("organization_id", "created_at");`);
    this.addSql(`create or replace function forge_unfinished_jobs(p_org uuid) returns bigint language sql stable as $$
      select count(*) from agent_jobs where organization_id = p_org and status in ('queued', 'running', 'waiting') $$;`);
    this.addSql(`create or replace function forge_session_queue(p_session uuid) returns bigint language sql stable as $$
      select count(*) from agent_jobs where session_id = p_session and status in ('queued', 'running', 'waiting') $$;`);
    this.addSql(`create or replace function forge_recent_messages(p_org uuid, out messages bigint, out oldest_age_ms double precision) language sql stable as $$
      select count(*), coalesce(extract(epoch from (now() - min(created_at))) * 1000, 0)::double precision
        from agent_jobs where organization_id = p_org and created_at > now() - interval '1 minute' $$;`);
    this.addSql(`create or replace function forge_tokens_since(p_org uuid, p_since timestamptz, p_except uuid) returns bigint language sql stable as $$
      select coalesce(sum((usage->>'promptTokens')::bigint + (usage->>'completionTokens')::bigint), 0)::bigint
        from agent_jobs where organization_id = p_org and created_at >= p_since and id is distinct from p_except $$;`);
    this.addSql(`create or replace function forge_stored_bytes(p_org uuid) returns bigint language sql stable as $$
      select coalesce(sum(b.size), 0)::bigint from file_blobs b
       where b.hash in (select sf.hash from source_files sf join code_versions v on v.id = sf.version_id
                          join projects p on p.id = v.project_id where p.organization_id = p_org) $$;`);
    // `outcome`: 'admitted' (with the job's token cap, and its row's creation time when p_job is given),
    // 'known' (the job is already there: nothing checked or written), or the first limit reached, in
    // the order a user can act on them: rate, jobs at once, session queue, tokens, bytes. The limits
    // come from the API's configuration (p_limits, QuotaPolicy).
    this.addSql(`create or replace function forge_admit_message(p_org uuid, p_session uuid, p_month_start timestamptz, p_limits jsonb, p_retried uuid, p_job jsonb)
      returns table (outcome text, used bigint, retry_after_seconds int, token_cap bigint, job_created_at timestamptz) language plpgsql volatile as $$
      declare
        recent record;
        amount bigint;
        month_tokens bigint;
        bytes bigint;
        own_tokens bigint := 0;
      begin
        -- The job is already there (a client's retry with the same Idempotency-Key): no checks, no row;
        -- the caller answers with the job as it is now.
        if p_job is not null and exists (select 1 from agent_jobs j where j.id = (p_job->>'id')::uuid and j.session_id = p_session) then
          return query select 'known'::text, null::bigint, null::int, null::bigint, null::timestamptz;
          return;
        end if;
        -- Tokens and bytes are counted before the lock: an admission adds neither, so the lock, which
        -- only orders what admissions add (jobs, queued messages, messages this minute), is held briefly.
        month_tokens := forge_tokens_since(p_org, p_month_start, null);
        bytes := forge_stored_bytes(p_org);
        perform pg_advisory_xact_lock(hashtextextended('quota:' || p_org::text, 0));
        select * into recent from forge_recent_messages(p_org);
        if recent.messages >= (p_limits->>'messagesPerMinute')::bigint then
          return query select 'messagesPerMinute', recent.messages, greatest(1, ceil((60000 - recent.oldest_age_ms) / 1000))::int, null::bigint, null::timestamptz;
          return;
        end if;
        amount := forge_unfinished_jobs(p_org);
        if amount >= (p_limits->>'concurrentJobs')::bigint then return query select 'concurrentJobs', amount, null::int, null::bigint, null::timestamptz; return; end if;
        amount := forge_session_queue(p_session);
        if amount >= (p_limits->>'queuedMessagesPerSession')::bigint then return query select 'queuedMessagesPerSession', amount, null::int, null::bigint, null::timestamptz; return; end if;
        if month_tokens >= (p_limits->>'monthlyTokens')::bigint then return query select 'monthlyTokens', month_tokens, null::int, null::bigint, null::timestamptz; return; end if;
        if bytes >= (p_limits->>'storedBytes')::bigint then return query select 'storedBytes', bytes, null::int, null::bigint, null::timestamptz; return; end if;
        -- A retried job may also spend again what it spent itself: its budget counts its earlier runs.
        if p_retried is not null then own_tokens := month_tokens - forge_tokens_since(p_org, p_month_start, p_retried); end if;
        if p_job is not null then
          insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
          values ((p_job->>'id')::uuid, now(), p_org, (p_job->>'projectId')::uuid, p_session, (p_job->>'actorId')::uuid, 'codegen', p_job->>'content', 'queued', p_job->'usage')
          on conflict (id) do nothing
          returning agent_jobs.created_at into job_created_at;
          -- Written meanwhile by the same retry on another node: the caller reads it.
          if job_created_at is null then return query select 'known'::text, null::bigint, null::int, null::bigint, null::timestamptz; return; end if;
        end if;
        return query select 'admitted'::text, null::bigint, null::int,
          least((p_limits->>'jobTokenBudget')::bigint, (p_limits->>'monthlyTokens')::bigint - month_tokens + own_tokens), job_created_at;
      end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop index if exists "agent_jobs_organization_id_created_at_index";');
    this.addSql('drop function if exists forge_admit_message(uuid, uuid, timestamptz, jsonb, uuid, jsonb);');
    for (const fn of ['forge_unfinished_jobs(uuid)', 'forge_session_queue(uuid)', 'forge_recent_messages(uuid)', 'forge_tokens_since(uuid, timestamptz, uuid)', 'forge_stored_bytes(uuid)']) {
      this.addSql(`drop function if exists ${fn};`);
    }
  }

}
