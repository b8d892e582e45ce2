import { Migration } from '@mikro-orm/migrations';

/**
 * One deployment per project at a time: a second start while one is pending, building or
 * deploying is refused (409). Rows an older version left stuck in an active status (a cancel
 * that could not record its end) would block the project forever: all but the newest end `failed`.
 */
export class Migration20261203083000_one_active_deployment extends Migration {

  override name = 'Migration20261203083000_one_active_deployment';

  override up(): void | Promise<void> {
    this.addSql(`update "deployments" d set "status" = 'failed', "error" = '{"code":"cancelled","message":"Superseded by a newer deployment while still in progress"}'::jsonb
      where d."status" in ('pending', 'building', 'deploying') and exists (
        select 1 from "deployments" n where n."project_id" = d."project_id" and n."status" in ('pending', 'building', 'deploying') and n."created_at" > d."created_at");`);
    this.addSql(`create unique index "deployments_one_active_per_project" on "deployments" ("project_id") where "status" in ('pending', 'building', 'deploying');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "deployments_one_active_per_project";`);
  }

}
