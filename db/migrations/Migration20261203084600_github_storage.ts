import { Migration } from '@mikro-orm/migrations';

export class Migration20261203084600_github_storage extends Migration {

  override name = 'Migration20261203084600_github_storage';

  override up(): void | Promise<void> {
    this.addSql(`create table "github_connections" ("organization_id" uuid not null, "type" text not null, "api_url" varchar(500) not null, "app_id" int null, "sealed_secret" text not null, "updated_at" timestamptz not null, primary key ("organization_id"));`);
    this.addSql(`alter table "github_connections" add constraint "github_connections_type_check" check ("type" in ('token', 'app'));`);
    this.addSql(`alter table "github_connections" add constraint "github_connections_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`);

    this.addSql(`create table "version_commits" ("project_id" uuid not null, "number" int not null, "sha" varchar(40) not null, "pull_request_url" varchar(500) null, "created_at" timestamptz not null, primary key ("project_id", "number"));`);
    this.addSql(`alter table "version_commits" add constraint "version_commits_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);

    this.addSql(`create table "github_deliveries" ("id" varchar(100) not null, "event" varchar(100) not null, "received_at" timestamptz not null, primary key ("id"));`);

    this.addSql(`alter table "code_versions" drop constraint "code_versions_source_check";`);
    this.addSql(`alter table "code_versions" add constraint "code_versions_source_check" check ("source" in ('ai_generation', 'manual_edit', 'rollback', 'import', 'external'));`);
    this.addSql(`alter table "projects" drop constraint if exists "projects_storage_backend_check";`);
    this.addSql(`alter table "projects" add constraint "projects_storage_backend_check" check ("storage_backend" in ('internal', 'github'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "github_connections" cascade;`);
    this.addSql(`drop table if exists "version_commits" cascade;`);
    this.addSql(`drop table if exists "github_deliveries" cascade;`);
  }

}
