import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022522_projects_versions extends Migration {

  override name = 'Migration20261122022522_projects_versions';

  override up(): void | Promise<void> {
    this.addSql(`create table "file_blobs" ("hash" varchar(64) not null, "size" int not null, "content" bytea not null, "created_at" timestamptz not null, primary key ("hash"));`);

    this.addSql(`create table "projects" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "name" varchar(100) not null, "slug" varchar(60) not null, "storage_backend" text not null, "storage_config" jsonb null, "current_version" int null, "published_version" int null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "projects" add constraint "projects_organization_id_slug_unique" unique ("organization_id", "slug");`);

    this.addSql(`create table "code_versions" ("id" uuid not null, "created_at" timestamptz not null, "project_id" uuid not null, "number" int not null, "parent_version" int null, "message" text not null, "source" text not null, "storage_ref" varchar(200) not null, "author_id" uuid null, "idempotency_key" varchar(500) null, primary key ("id"));`);
    this.addSql(`alter table "code_versions" add constraint "code_versions_project_id_number_unique" unique ("project_id", "number");`);
    this.addSql(`alter table "code_versions" add constraint "code_versions_project_id_idempotency_key_unique" unique ("project_id", "idempotency_key");`);

    this.addSql(`create table "source_files" ("version_id" uuid not null, "path" varchar(300) not null, "hash" varchar(64) not null, primary key ("version_id", "path"));`);

    this.addSql(`create or replace function "file_blobs_immutable_fn"() returns trigger as \$\$ begin raise exception 'file blobs are immutable'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE on "file_blobs" for each ROW execute function "file_blobs_immutable_fn"();`);

    this.addSql(`alter table "projects" add constraint "projects_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`);
    this.addSql(`alter table "projects" add constraint "projects_storage_backend_check" check ("storage_backend" in ('internal'));`);

    this.addSql(`alter table "code_versions" add constraint "code_versions_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`);
    this.addSql(`alter table "code_versions" add constraint "code_versions_source_check" check ("source" in ('ai_generation', 'manual_edit', 'rollback', 'import'));`);
    this.addSql(`create or replace function "code_versions_immutable_fn"() returns trigger as \$\$ begin raise exception 'code versions are immutable'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE on "code_versions" for each ROW execute function "code_versions_immutable_fn"();`);

    this.addSql(`alter table "source_files" add constraint "source_files_version_id_foreign" foreign key ("version_id") references "code_versions" ("id") on delete cascade;`);
    this.addSql(`alter table "source_files" add constraint "source_files_hash_foreign" foreign key ("hash") references "file_blobs" ("hash");`);
    this.addSql(`create or replace function "source_files_immutable_fn"() returns trigger as \$\$ begin raise exception 'source files are immutable'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE on "source_files" for each ROW execute function "source_files_immutable_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "source_files" drop constraint "source_files_hash_foreign";`);
    this.addSql(`alter table "code_versions" drop constraint "code_versions_project_id_foreign";`);
    this.addSql(`alter table "source_files" drop constraint "source_files_version_id_foreign";`);

    this.addSql(`drop trigger if exists "immutable" on "file_blobs";`);
    this.addSql(`drop function if exists "file_blobs_immutable_fn"();`);
    this.addSql(`drop table if exists "file_blobs" cascade;`);
    this.addSql(`drop table if exists "projects" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "code_versions";`);
    this.addSql(`drop function if exists "code_versions_immutable_fn"();`);
    this.addSql(`drop table if exists "code_versions" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "source_files";`);
    this.addSql(`drop function if exists "source_files_immutable_fn"();`);
    this.addSql(`drop table if exists "source_files" cascade;`);
  }

}
