import { tmpdir } from 'node:os';
import pg from 'pg';
import { expect, inject, it } from 'vitest';

// The run's database lives on the dev cluster (unless TEST_DATABASE_ADMIN_URL names another server).
const admin = new URL(inject('adminDatabaseUrl'));
const devCluster = !process.env.TEST_DATABASE_ADMIN_URL;

async function tryConnect(password: string | undefined): Promise<string> {
  const client = new pg.Client({ host: admin.hostname, port: Number(admin.port), user: 'postgres', database: 'postgres', password, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

it.runIf(devCluster)('the dev PostgreSQL asks every connection for its password (scram-sha-256)', async () => {
  expect(admin.password, 'every URL the stack builds carries the password').not.toBe('');
  expect(await tryConnect(decodeURIComponent(admin.password))).toBe('connected');
  expect(await tryConnect('not-the-password')).toMatch(/password authentication failed/);
  expect(await tryConnect(undefined)).not.toBe('connected');
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ method: string }>(`select distinct auth_method as method from pg_hba_file_rules`);
    expect(rows.map((r) => r.method)).toEqual(['scram-sha-256']);
    const socket = (await client.query<{ unix_socket_directories: string }>('show unix_socket_directories')).rows[0]!.unix_socket_directories;
    expect(socket).not.toBe(tmpdir());
  } finally {
    await client.end();
  }
});
