import { Migration } from '@mikro-orm/migrations';

/**
 * Messages are admitted in batches and delivered through an outbox.
 *
 * `forge_admit_messages(org, month_start, limits, lease, channel, notify_limit, jobs)` admits every
 * message one API node has waiting for one organization in one statement (api/quotas/quota-guard.ts
 * groups them): the organization's quota lock once, then per message, in order, the `known` check,
 * the verdict (`forge_quota_verdict`, which sees the rows admitted before it in the batch: the
 * function's own writes), and for an admitted one its `queued` row, its `message` event
 * (`forge_append_events`), its audit row and its `message_outbox` row, claimed for the admitting
 * node for `lease`. A burst of one organization's messages then takes the lock once per batch
 * instead of once per message, in turn: the lock is what made a burst's answers wait.
 *
 * `message_outbox`: a message admitted and not yet handed to its session workflow (the
 * `queueMessage` signal, sent by api/agents/message-delivery.ts after the request has answered).
 * The row goes when the signal is delivered; one whose claim ran out (a node died, Temporal was
 * down) is claimed again by any API node's sweep. A cancelled message takes its unclaimed row
 * with it, so it is never delivered.
 *
 * `forge_admit_retry` is the same verdict for a job run again (its own tokens may be spent again).
 * `forge_admit_message`, which this build no longer calls, stays for API nodes of the previous build
 * during a rolling deploy (they signal the session themselves); a later migration drops it.
 */
export class Migration20261203170000_message_outbox extends Migration {

  override name = 'Migration20261203170000_message_outbox';

  override up(): void | Promise<void> {
    this.addSql(`create table "message_outbox" ("job_id" uuid not null references "agent_jobs" ("id") on delete cascade,
      "token_cap" bigint not null, "claimed_until" timestamptz not null, "created_at" timestamptz not null default now(),
      primary key ("job_id"));`);
    this.addSql(`create index "message_outbox_claimed_until_index" on "message_outbox" ("claimed_until");`);
    // The first limit a message would pass, in the order a user can act on them (rate, jobs at once,
    // session queue, tokens, bytes), or a null outcome. Volatile: each count takes a fresh snapshot,
    // so under the lock it sees every admission committed before and this transaction's own rows.
    this.addSql(`create function forge_quota_verdict(p_org uuid, p_session uuid, p_month_tokens bigint, p_bytes bigint, p_limits jsonb,
        out outcome text, out used bigint, out retry_after_seconds int) language plpgsql volatile as $$
      declare
        recent record;
      begin
        select * into recent from forge_recent_messages(p_org);
        if recent.messages >= (p_limits->>'messagesPerMinute')::bigint then
          outcome := 'messagesPerMinute'; used := recent.messages;
          retry_after_seconds := greatest(1, ceil((60000 - recent.oldest_age_ms) / 1000))::int;
          return;
        end if;
        used := forge_unfinished_jobs(p_org);
        if used >= (p_limits->>'concurrentJobs')::bigint then outcome := 'concurrentJobs'; return; end if;
        used := forge_session_queue(p_session);
        if used >= (p_limits->>'queuedMessagesPerSession')::bigint then outcome := 'queuedMessagesPerSession'; return; end if;
        used := p_month_tokens;
        if used >= (p_limits->>'monthlyTokens')::bigint then outcome := 'monthlyTokens'; return; end if;
        used := p_bytes;
        if used >= (p_limits->>'storedBytes')::bigint then outcome := 'storedBytes'; return; end if;
        used := null;
      end $$;`);
    // p_jobs: a JSON array of { id, sessionId, projectId, actorId, content, usage, ip, topic, events }.
    // One answer row per message, in input order.
    this.addSql(`create function forge_admit_messages(p_org uuid, p_month_start timestamptz, p_limits jsonb, p_lease interval,
        p_channel text, p_notify_limit int, p_jobs jsonb)
      returns table (job_id uuid, outcome text, used bigint, retry_after_seconds int, token_cap bigint, job_created_at timestamptz)
      language plpgsql volatile as $$
      declare
        job jsonb;
        verdict record;
        session uuid;
        month_tokens bigint;
        bytes bigint;
      begin
        -- Counted before the lock: an admission adds neither tokens nor bytes.
        month_tokens := forge_tokens_since(p_org, p_month_start, null);
        bytes := forge_stored_bytes(p_org);
        perform pg_advisory_xact_lock(hashtextextended('quota:' || p_org::text, 0));
        for job in select value from jsonb_array_elements(p_jobs) loop
          job_id := (job->>'id')::uuid;
          session := (job->>'sessionId')::uuid;
          outcome := 'known'; used := null; retry_after_seconds := null; token_cap := null; job_created_at := null;
          -- The job is already there (a client's retry with the same Idempotency-Key): nothing to do.
          if exists (select 1 from agent_jobs j where j.id = job_id and j.session_id = session) then return next; continue; end if;
          select * into verdict from forge_quota_verdict(p_org, session, month_tokens, bytes, p_limits);
          if verdict.outcome is not null then
            outcome := verdict.outcome; used := verdict.used; retry_after_seconds := verdict.retry_after_seconds;
            return next; continue;
          end if;
          insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
          values (job_id, now(), p_org, (job->>'projectId')::uuid, session, (job->>'actorId')::uuid, 'codegen', job->>'content', 'queued', job->'usage')
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
    this.addSql(`create function forge_admit_retry(p_org uuid, p_session uuid, p_month_start timestamptz, p_limits jsonb, p_job uuid)
      returns table (outcome text, used bigint, retry_after_seconds int, token_cap bigint) language plpgsql volatile as $$
      declare
        verdict record;
        month_tokens bigint;
      begin
        month_tokens := forge_tokens_since(p_org, p_month_start, null);
        -- Transaction-scoped: a retry holds it until its run is started or refused.
        perform pg_advisory_xact_lock(hashtextextended('quota:' || p_org::text, 0));
        select * into verdict from forge_quota_verdict(p_org, p_session, month_tokens, forge_stored_bytes(p_org), p_limits);
        if verdict.outcome is not null then
          return query select verdict.outcome, verdict.used, verdict.retry_after_seconds, null::bigint;
          return;
        end if;
        -- Its budget counts what its earlier runs spent: that may be spent again.
        return query select 'admitted'::text, null::bigint, null::int,
          least((p_limits->>'jobTokenBudget')::bigint, (p_limits->>'monthlyTokens')::bigint - forge_tokens_since(p_org, p_month_start, p_job));
      end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop function if exists forge_admit_messages(uuid, timestamptz, jsonb, interval, text, int, jsonb);');
    this.addSql('drop function if exists forge_admit_retry(uuid, uuid, timestamptz, jsonb, uuid);');
    this.addSql('drop function if exists forge_quota_verdict(uuid, uuid, bigint, bigint, jsonb);');
    this.addSql('drop table if exists "message_outbox";');
  }

}
