import { Migration } from '@mikro-orm/migrations';

export class Migration20261203081300_transcript_and_project_deletion extends Migration {

  override name = 'Migration20261203081300_transcript_and_project_deletion';

  override up(): void | Promise<void> {
    this.addSql(`create table "session_messages" ("id" bigserial primary key, "session_id" uuid not null, "job_id" uuid not null, "author" text not null, "kind" text not null, "text" text not null, "data" jsonb not null, "idempotency_key" varchar(500) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "session_messages_session_id_id_index" on "session_messages" ("session_id", "id");`);
    this.addSql(`alter table "session_messages" add constraint "session_messages_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`alter table "session_messages" add constraint "session_messages_author_check" check ("author" in ('user', 'forge'));`);
    this.addSql(`alter table "session_messages" add constraint "session_messages_kind_check" check ("kind" in ('message', 'answer', 'feedback', 'questions', 'plan', 'outcome'));`);

    this.addSql(`alter table "projects" add column "deletion_id" uuid null;`);

    this.addSql(`create table "session_summaries" ("session_id" uuid not null, "through_id" bigint not null, "text" text not null, "created_at" timestamptz not null, primary key ("session_id", "through_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "session_messages" cascade;`);
    this.addSql(`drop table if exists "session_summaries" cascade;`);
    this.addSql(`alter table "projects" drop column "deletion_id";`);
  }

}
