import { Migration } from '@mikro-orm/migrations';

/**
 * Tokens spent by failed attempts of model-calling activities (activities/codegen/attempt-usage.ts),
 * keyed `<workflowId>/<runId>/<activityId>:<attempt>`: the attempt that succeeds, or the final
 * failure, adds them to the job's usage. Rows are only read while their activity retries.
 */
export class Migration20261203084500_llm_attempt_usage extends Migration {

  override name = 'Migration20261203084500_llm_attempt_usage';

  override up(): void | Promise<void> {
    this.addSql(`create table "llm_attempt_usage" ("key" text not null, "usage" jsonb not null, "created_at" timestamptz not null, primary key ("key"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "llm_attempt_usage" cascade;`);
  }

}
