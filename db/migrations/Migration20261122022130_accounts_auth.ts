import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022130_accounts_auth extends Migration {

  override name = 'Migration20261122022130_accounts_auth';

  override up(): void | Promise<void> {
    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "created_at" timestamptz not null, "user_id" uuid not null, "family_id" uuid not null, "token_hash" varchar(255) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);

    this.addSql(`create table "invites" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "email" varchar(255) not null, "role" text not null, "token_hash" varchar(255) not null, "invited_by_id" uuid null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "invites" add constraint "invites_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invites_organization_id_created_at_index" on "invites" ("organization_id", "created_at");`);

    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "invites" add constraint "invites_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on delete cascade;`);
    this.addSql(`alter table "invites" add constraint "invites_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on delete set null;`);
    this.addSql(`alter table "invites" add constraint "invites_role_check" check ("role" in ('viewer', 'editor', 'admin'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "refresh_tokens" cascade;`);
    this.addSql(`drop table if exists "invites" cascade;`);

    this.addSql(`drop index "memberships_user_id_index";`);
  }

}
