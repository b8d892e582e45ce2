// `npm run migrate`: applies the checked-in migrations to DATABASE_URL (the local dev database by
// default). docker-compose runs it once before the api and worker start.
import { devPgPassword } from './stack/dev-password';
import { postgresUrl, stackPorts } from './stack/paths';
import { migrateDatabase } from './stack/postgres-databases';

const url = process.env.DATABASE_URL ?? postgresUrl(stackPorts.postgres, 'forge', devPgPassword());
const applied = await migrateDatabase(url);
console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
