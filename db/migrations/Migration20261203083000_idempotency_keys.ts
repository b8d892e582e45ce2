import { Migration } from '@mikro-orm/migrations';

export class Migration20261203083000_idempotency_keys extends Migration {

  override name = 'Migration20261203083000_idempotency_keys';

  override up(): void | Promise<void> {
    this.addSql(`create table "idempotency_keys" ("user_id" uuid not null, "key" varchar(255) not null, "fingerprint" varchar(64) not null, "status" varchar(16) not null, "response_status" int null, "response_body" jsonb null, "created_at" timestamptz not null, "locked_until" timestamptz not null, "expires_at" timestamptz not null, primary key ("user_id", "key"));`);
    this.addSql(`create index "idempotency_keys_expires_at_index" on "idempotency_keys" ("expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
  }

}
