import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022923_agent_sessions_jobs extends Migration {

  override name = 'Migration20261122022923_agent_sessions_jobs';

  override up(): void | Promise<void> {
    this.addSql(`create table "agent_jobs" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "project_id" uuid not null, "session_id" uuid not null, "actor_id" uuid not null, "type" varchar(255) not null default 'codegen', "content" text not null, "status" text not null default 'queued', "stage" text null, "intent" varchar(255) null, "plan" jsonb null, "answer" text null, "questions" jsonb null, "base_version" int null, "result_version" int null, "error" jsonb null, "usage" jsonb not null, "checkpoint" jsonb null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "agent_jobs_session_id_created_at_index" on "agent_jobs" ("session_id", "created_at");`);
    this.addSql(`create index "agent_jobs_project_id_created_at_index" on "agent_jobs" ("project_id", "created_at");`);

    this.addSql(`create table "agent_sessions" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "project_id" uuid not null, "created_by_id" uuid not null, "title" varchar(255) not null, "status" text not null default 'open', "settings" jsonb not null, "usage" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "agent_sessions_project_id_created_at_index" on "agent_sessions" ("project_id", "created_at");`);

    this.addSql(`alter table "agent_jobs" add constraint "agent_jobs_status_check" check ("status" in ('queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'));`);
    this.addSql(`alter table "agent_jobs" add constraint "agent_jobs_stage_check" check ("stage" in ('intent', 'questions', 'plan', 'approval', 'generate', 'check', 'fix', 'save'));`);

    this.addSql(`alter table "agent_sessions" add constraint "agent_sessions_status_check" check ("status" in ('open', 'closed'));`);

  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "agent_jobs" cascade;`);
    this.addSql(`drop table if exists "agent_sessions" cascade;`);
  }

}
