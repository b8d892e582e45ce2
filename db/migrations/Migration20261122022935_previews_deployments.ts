import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022935_previews_deployments extends Migration {

  override name = 'Migration20261122022935_previews_deployments';

  override up(): void | Promise<void> {
    this.addSql(`create table "deployments" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "project_id" uuid not null, "version" int not null, "provider" text not null, "status" text not null default 'pending', "url" varchar(500) null, "provider_ref" jsonb null, "previous_deployment_id" uuid null, "error" jsonb null, "log_tail" jsonb not null, "requested_by" uuid not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "deployments_project_id_created_at_index" on "deployments" ("project_id", "created_at");`);
    this.addSql(`create unique index "deployments_one_live_per_project" on "deployments" ("project_id") where "status" = 'live';`);

    this.addSql(`create table "previews" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "project_id" uuid not null, "version" int not null, "provider" text not null, "status" text not null default 'pending', "url" varchar(500) null, "ttl_seconds" int not null, "expires_at" timestamptz null, "provider_ref" jsonb null, "error" jsonb null, "log_tail" jsonb not null, "requested_by" uuid null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "previews_project_id_created_at_index" on "previews" ("project_id", "created_at");`);

    this.addSql(`create table "provider_configs" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "provider" text not null, "settings" jsonb not null, "sealed_secrets" text null, "secret_names" jsonb not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "provider_configs" add constraint "provider_configs_organization_id_provider_unique" unique ("organization_id", "provider");`);

    this.addSql(`alter table "deployments" add constraint "deployments_provider_check" check ("provider" in ('local', 'docker', 'render', 'railway'));`);
    this.addSql(`alter table "deployments" add constraint "deployments_status_check" check ("status" in ('pending', 'building', 'deploying', 'live', 'failed', 'rolled_back', 'superseded'));`);

    this.addSql(`alter table "previews" add constraint "previews_provider_check" check ("provider" in ('local', 'docker', 'render', 'railway'));`);
    this.addSql(`alter table "previews" add constraint "previews_status_check" check ("status" in ('pending', 'building', 'starting', 'live', 'failed', 'destroyed'));`);

    this.addSql(`alter table "provider_configs" add constraint "provider_configs_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`);
    this.addSql(`alter table "provider_configs" add constraint "provider_configs_provider_check" check ("provider" in ('local', 'docker', 'render', 'railway'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "deployments" cascade;`);
    this.addSql(`drop table if exists "previews" cascade;`);
    this.addSql(`drop table if exists "provider_configs" cascade;`);
  }

}
