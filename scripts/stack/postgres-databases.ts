import pg from 'pg';

/** Creates each missing database; safe when several processes do it at once. */
export async function createDatabases(adminUrl: string, names: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names]);
    const missing = names.filter((name) => !rows.some((row) => row.datname === name));
    for (const name of missing) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
    return missing;
  } finally {
    await client.end();
  }
}

/** Applies the checked-in migrations; returns the names of those it applied. */
export async function migrateDatabase(url: string, log: (line: string) => void = console.log): Promise<string[]> {
  // Loaded on first use: MikroORM takes seconds to import on a busy machine, and the runners
  // should have their servers booting by then.
  const { initOrm, migrate } = await import('../../db/orm');
  const orm = await initOrm(url, { logger: log });
  try {
    return await migrate(orm);
  } finally {
    await orm.close();
  }
}
