import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AccessTokens } from '../../api/auth/access-token';
import { Membership, Organization, User } from '../../db/entities/index';
import { initOrm, type MikroORM } from '../../db/orm';
import { emptyUsage } from '../../domain/agents';
import { topicFor, type Topic } from '../../domain/events';
import { logsDir, repoRoot } from '../../scripts/stack/paths';
import { freePort, loopback } from '../../scripts/stack/ports';
import { spawnService } from '../../scripts/stack/service-process';
import { serviceLaunch } from '../../scripts/stack/compiled-entry';
import { createRunDatabase, provideSharedServers } from '../../scripts/stack/shared-servers';
import { waitUntil } from '../../scripts/stack/wait-until';

export interface RealtimeBenchStack {
  /** The API's origin: `api/main.ts` in a child process, exactly what production runs. */
  origin: string;
  /** The "worker": this process's own ORM, appending as activities do. */
  orm: MikroORM;
  /** A viewer's access token valid for the whole run. */
  token: string;
  /** A topic the viewer may watch (a job row of the viewer's organization). */
  newTopic(): Promise<Topic>;
  close(): Promise<void>;
}

/**
 * A fresh database on the shared Postgres, the API as a child process (output in
 * .data/logs/bench-realtime-api.log), and a seeded viewer. The bench process plays the worker
 * and every client, so the API process's CPU is what the figures measure.
 */
export async function startRealtimeBench(): Promise<RealtimeBenchStack> {
  const servers = await provideSharedServers();
  const database = await createRunDatabase(servers.adminUrl, 'forge_bench_rt');
  const secret = randomBytes(32).toString('hex');
  const port = await freePort();
  const launch = await serviceLaunch('api/main.ts');
  const api = spawnService('api', launch.command, launch.args, {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_SECRET: secret, DATABASE_URL: database.url, TEMPORAL_ADDRESS: servers.temporalAddress, HOST: loopback, PORT: String(port),
      // Every simulated subscriber signs in as the same viewer: lift the per-user connection cap.
      SOCKET_MAX_CONNECTIONS_PER_USER: '10000' },
    logFile: join(logsDir, 'bench-realtime-api.log'),
  });
  const origin = `http://${loopback}:${port}`;
  const close = async () => {
    await api.stop();
    await database.drop();
    await servers.release();
  };
  try {
    await waitUntil('the bench API', async () => (await fetch(`${origin}/api/v1/health`)).status < 500, { timeoutMs: 90_000, failed: api.exitReason });
    const orm = await initOrm(database.url, { pool: { min: 0, max: 16 } });
    const em = orm.em.fork();
    const user = em.create(User, { email: `bench-${randomUUID()}@example.test`, name: 'bench', passwordHash: '!bench' });
    const org = em.create(Organization, { name: 'Bench org' });
    em.create(Membership, { organization: org, user: user.id, role: 'viewer' });
    await em.flush();
    const token = await new AccessTokens(secret, 24 * 3600).sign({ userId: user.id });
    return {
      origin,
      orm,
      token,
      async newTopic() {
        const jobId = randomUUID();
        await orm.em.fork().execute(
          `insert into agent_jobs (id, created_at, organization_id, project_id, session_id, actor_id, type, content, status, usage)
           values (?, now(), ?, ?, ?, ?, 'codegen', 'bench', 'running', ?::jsonb)`,
          [jobId, org.id, randomUUID(), randomUUID(), user.id, JSON.stringify(emptyUsage())],
        );
        return topicFor('job', jobId);
      },
      close: async () => {
        await orm.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
