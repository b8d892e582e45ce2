import { existsSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Deployment, Preview } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { isServing, readState, spawnServer, type ServerHost } from '../providers/local-server-process';

export interface RestoreResult {
  /** Resources whose server was started again (same URL unless its port was taken). */
  restarted: string[];
  /** Rows marked `failed` because their build is gone from this host. */
  failed: string[];
}

/** The error a `live` row gets when its server cannot come back: a URL that answers nothing is no longer live. */
export const serverGoneError = (resource: string) => ({
  code: 'server_gone',
  message: `The local server for ${resource} stopped with the stack and its build is gone; create a new preview or deployment.`,
});

/**
 * Run once when a worker starts: every `live` preview or deployment on the local provider whose
 * server is not running (halted by `npm start`'s stop, or a reboot) is started again from its
 * build, on the port its URL names when that port is free; one whose build is gone is marked
 * `failed`. So no row says `live` while its URL is dead. Running twice changes nothing.
 */
export async function restoreLocalServers(orm: MikroORM, host: ServerHost): Promise<RestoreResult> {
  const em = orm.em.fork();
  const rows: Array<{ kind: 'preview' | 'deployment'; row: Preview | Deployment }> = [
    ...(await em.find(Preview, { status: 'live', provider: 'local' })).map((row) => ({ kind: 'preview' as const, row })),
    ...(await em.find(Deployment, { status: 'live', provider: 'local' })).map((row) => ({ kind: 'deployment' as const, row })),
  ];
  const result: RestoreResult = { restarted: [], failed: [] };
  for (const { kind, row } of rows) {
    const ref = row.providerRef;
    if (!ref) continue;
    const state = await readState(host, ref.resource);
    if (state && (await isServing(state))) continue;
    const root = state?.root ?? ref.data.root;
    const port = state?.port ?? Number(ref.data.port ?? 0);
    if (root && existsSync(root)) {
      const served = await spawnServer(host, ref.resource, root, port);
      row.url = `http://127.0.0.1:${served.port}/`;
      row.providerRef = { ...ref, url: row.url, data: { ...ref.data, pid: String(served.pid), port: String(served.port), root } };
      result.restarted.push(ref.resource);
    } else {
      row.status = 'failed';
      row.error = serverGoneError(ref.resource);
      recordAudit(em, {
        actorId: null,
        organizationId: row.organizationId,
        action: `${kind}.failed`,
        targetType: kind,
        targetId: row.id,
        details: { projectId: row.projectId, version: row.version, provider: row.provider, error: 'server_gone' },
      });
      result.failed.push(ref.resource);
    }
  }
  await em.flush();
  return result;
}
