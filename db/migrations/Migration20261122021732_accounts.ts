import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021732_accounts extends Migration {

  override name = 'Migration20261122021732_accounts';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_logs" ("id" uuid not null, "created_at" timestamptz not null, "actor_id" uuid null, "organization_id" uuid null, "action" varchar(255) not null, "target_type" varchar(255) not null, "target_id" varchar(255) null, "ip" varchar(255) null, "details" jsonb null, primary key ("id"));`);
    this.addSql(`create index "audit_logs_organization_id_created_at_index" on "audit_logs" ("organization_id", "created_at");`);

    this.addSql(`create table "organizations" ("id" uuid not null, "created_at" timestamptz not null, "name" varchar(255) not null, primary key ("id"));`);

    this.addSql(`create table "users" ("id" uuid not null, "created_at" timestamptz not null, "email" varchar(255) not null, "name" varchar(255) not null, "password_hash" varchar(255) not null, primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "memberships" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "user_id" uuid not null, "role" text not null, primary key ("id"));`);
    this.addSql(`alter table "memberships" add constraint "memberships_organization_id_user_id_unique" unique ("organization_id", "user_id");`);

    this.addSql(`alter table "memberships" add constraint "memberships_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_role_check" check ("role" in ('viewer', 'editor', 'admin'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "memberships" drop constraint "memberships_organization_id_foreign";`);
    this.addSql(`alter table "memberships" drop constraint "memberships_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_logs" cascade;`);
    this.addSql(`drop table if exists "organizations" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "memberships" cascade;`);
  }

}
