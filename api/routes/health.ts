import { Health } from '../../domain/health';
import { defineRoute } from '../http/route';
import type { AppDeps } from '../deps';


/** A load balancer's probe must get an answer quickly, even when a dependency hangs. */
const probeTimeoutMs = 2_000;

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  try {
    await within(check(), probeTimeoutMs);
    return 'ok';
  } catch {
    return 'down';
  }
}

export const healthRoutes = ({ orm, temporal }: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/health',
    summary: 'Liveness of the API and its dependencies (503 names the one that is down)',
    tag: 'system',
    auth: false,
    response: Health,
    handler: async (_input, _req, res) => {
      const [db, tmp] = await Promise.all([
        probe(() => orm.em.getConnection().execute('select 1')),
        // The deadline also ends the client's own retries of an unreachable server (UNAVAILABLE).
        probe(() => temporal.connection.withDeadline(Date.now() + probeTimeoutMs, () => temporal.workflowService.getSystemInfo({}))),
      ]);
      const ok = db === 'ok' && tmp === 'ok';
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', db, temporal: tmp });
    },
  }),
];
