import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022218_event_log extends Migration {

  override name = 'Migration20261122022218_event_log';

  override up(): void | Promise<void> {
    this.addSql(`create table "events" ("topic" varchar(64) not null, "seq" int not null, "type" varchar(100) not null, "data" jsonb not null, "at" timestamptz not null, "idempotency_key" varchar(500) null, primary key ("topic", "seq"));`);
    this.addSql(`alter table "events" add constraint "events_topic_idempotency_key_unique" unique ("topic", "idempotency_key");`);

    this.addSql(`create table "topic_heads" ("topic" varchar(64) not null, "last_seq" int not null, primary key ("topic"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "events" cascade;`);
    this.addSql(`drop table if exists "topic_heads" cascade;`);
  }

}
