// `npm run db`: the development PostgreSQL cluster (.data/pg) in the foreground; Ctrl-C stops it.
import { say } from './stack/console-prefix';
import { localStack, maskedUrl, stackPorts } from './stack/paths';
import { ensurePostgres } from './stack/postgres';
import { Supervisor } from './stack/supervisor';

const supervisor = new Supervisor('db');
await supervisor.run(async () => {
  const db = await ensurePostgres({ dataDir: localStack.pgDataDir, port: stackPorts.postgres, migrate: ['forge', 'forge_test'] });
  if (db.reused) {
    say('db', `already running (pid ${db.pid}) at ${maskedUrl(db.url('forge'))}; migrations applied`);
    process.exit(0);
  }
  supervisor.add(db);
  say('db', `ready at ${maskedUrl(db.url('forge'))} (databases forge, forge_test). Ctrl-C stops it.`);
});
