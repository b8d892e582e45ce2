import { Migration } from '@mikro-orm/migrations';

/**
 * The files a job's generation activity has written so far (activities/codegen/codegen-activities.ts,
 * generateFiles), keyed by the activity (`<workflowId>/<runId>/<activityId>`) and path: a retried
 * attempt, after a crash or a model fault, asks the model only for the files not yet here. Rows are
 * read only while their activity retries and deleted when the job ends.
 */
export class Migration20261203150000_generated_files extends Migration {

  override name = 'Migration20261203150000_generated_files';

  override up(): void | Promise<void> {
    this.addSql(`create table "generated_files" ("activity_key" text not null, "path" text not null, "job_id" uuid not null, "hash" varchar(64) not null, "usage" jsonb not null, "created_at" timestamptz not null, primary key ("activity_key", "path"));`);
    this.addSql(`create index "generated_files_job_id_index" on "generated_files" ("job_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "generated_files" cascade;`);
  }

}
