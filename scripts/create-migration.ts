// Generates a migration for entity changes: `npm run migration:create -- <name>`.
// Diffs the entities against a scratch database that has every existing migration applied.
import pg from 'pg';
import { initOrm } from '../db/orm';
import { devPgPassword } from './stack/dev-password';
import { postgresUrl, stackPorts } from './stack/paths';

const name = process.argv[2];
if (!name) throw new Error('usage: npm run migration:create -- <name>');
const admin = process.env.DATABASE_ADMIN_URL ?? postgresUrl(stackPorts.postgres, 'postgres', devPgPassword());
const scratch = 'forge_migration_scratch';

const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`drop database if exists ${scratch}`);
await client.query(`create database ${scratch}`);
const url = new URL(admin);
url.pathname = `/${scratch}`;
const orm = await initOrm(url.toString());
try {
  await orm.migrator.up();
  const result = await orm.migrator.create(undefined, false, false, name);
  console.log(result.fileName ? `created db/migrations/${result.fileName}` : 'no changes: entities match the migrations');
} finally {
  await orm.close();
  await client.query(`drop database if exists ${scratch}`);
  await client.end();
}
