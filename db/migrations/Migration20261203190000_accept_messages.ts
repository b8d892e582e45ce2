import { Migration } from '@mikro-orm/migrations';

/**
 * Accepting a chat message is one statement: `forge_accept_messages` is `forge_admit_messages`
 * with the session's checks inside it. For each message, before its verdict, it reads the session
 * and the sender's membership: no session in this organization, or no membership, is `not_found`;
 * a role not in `p_roles` is `forbidden` (with the role); a session whose row says `closed` is
 * `closed`. The job's project comes from the session row, so a message names only its session.
 * The API then reads nothing before the statement (the session's organization, fixed at its
 * creation, is known to it or read once), and a burst of one organization's messages uses one
 * pooled connection at a time, which stays warm.
 *
 * `forge_admit_messages` stays for API nodes of the previous build during a rolling deploy.
 */
export class Migration20261203190000_accept_messages extends Migration {

  override name = 'Migration20261203190000_accept_messages';

  override up(): void | Promise<void> {
    // p_jobs: a JSON array of { id, sessionId, actorId, content, usage, ip, topic, events }.
    // One answer row per message, in input order.
    this.addSql(`create function forge_accept_messages(p_org uuid, p_month_start timestamptz, p_limits jsonb, p_lease interval,
        p_channel text, p_notify_limit int, p_roles text[], p_jobs jsonb)
      returns table (job_id uuid, outcome text, used bigint, retry_after_seconds int, token_cap bigint, job_created_at timestamptz,
        project_id uuid, member_role text)
      language plpgsql volatile as $$
      declare
        job jsonb;
        verdict record;
        session record;
        month_tokens bigint;
        bytes bigint;
      begin
        -- Counted before the lock: an admission adds neither tokens nor bytes.
        month_tokens := forge_tokens_since(p_org, p_month_start, null);
        bytes := forge_stored_bytes(p_org);
        perform pg_advisory_xact_lock(hashtextextended('quota:' || p_org::text, 0));
        for job in select value from jsonb_array_elements(p_jobs) loop
          job_id := (job->>'id')::uuid;
          used := null; retry_after_seconds := null; token_cap := null; job_created_at := null; project_id := null; member_role := null;
          select s.id, s.project_id, s.status, m.role into session
            from agent_sessions s
            left join memberships m on m.organization_id = s.organization_id and m.user_id = (job->>'actorId')::uuid
           where s.id = (job->>'sessionId')::uuid and s.organization_id = p_org;
          -- Another organization's session does not exist for the sender.
          if not found or session.role is null then outcome := 'not_found'; return next; continue; end if;
          member_role := session.role;
          if not (session.role = any(p_roles)) then outcome := 'forbidden'; return next; continue; end if;
          -- A session known closed is refused whatever the quotas (its workflow would cancel the job).
          if session.status = 'closed' then outcome := 'closed'; return next; continue; end if;
          project_id := session.project_id;
          -- The job is already there (a client's retry with the same Idempotency-Key): nothing to do.
          outcome := 'known';
          if exists (select 1 from agent_jobs j where j.id = job_id and j.session_id = session.id) then return next; continue; end if;
          select * into verdict from forge_quota_verdict(p_org, session.id, month_tokens, bytes, p_limits);
          if verdict.outcome is not null then
            outcome := verdict.outcome; used := verdict.used; retry_after_seconds := verdict.retry_after_seconds;
            return next; continue;
          end if;
          insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
          values (job_id, now(), p_org, session.project_id, session.id, (job->>'actorId')::uuid, 'codegen', job->>'content', 'queued', job->'usage')
          on conflict (id) do nothing
          returning agent_jobs.created_at into job_created_at;
          -- Written meanwhile by the same retry on another node: the caller reads it.
          if job_created_at is null then return next; continue; end if;
          outcome := 'admitted';
          token_cap := least((p_limits->>'jobTokenBudget')::bigint, (p_limits->>'monthlyTokens')::bigint - month_tokens);
          perform forge_append_events(job->>'topic', job->'events', p_channel, p_notify_limit);
          insert into audit_logs (id, created_at, actor_id, organization_id, action, target_type, target_id, ip)
          values (gen_random_uuid(), now(), (job->>'actorId')::uuid, p_org, 'session.message', 'job', job_id::text, job->>'ip');
          insert into message_outbox (job_id, token_cap, claimed_until) values (job_id, token_cap, now() + p_lease);
          return next;
        end loop;
      end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop function if exists forge_accept_messages(uuid, timestamptz, jsonb, interval, text, int, text[], jsonb);');
  }

}
