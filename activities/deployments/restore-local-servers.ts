import { existsSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Deployment, Preview } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';

/** The error a `live` row gets when its server cannot come back: a URL that answers nothing is no longer live. */
export const serverGoneError = (resource: string) => ({
  code: 'server_gone',
  message: `The local server for ${resource} stopped with the stack and its build is gone; create a new preview or deployment.`,
});

/**
 * Run once when an agents worker starts. A builder restarts every halted local server whose build
 * is still there (activities/builds/restart-halted-servers.ts; it has no database); here, on the
 * agents side, every `live` local preview or deployment whose build is gone is marked `failed`, so
 * no row says `live` while its URL is dead. Returns the resources marked; running twice changes nothing.
 */
export async function failLocalRowsWithoutBuild(orm: MikroORM): Promise<string[]> {
  const em = orm.em.fork();
  const rows: Array<{ kind: 'preview' | 'deployment'; row: Preview | Deployment }> = [
    ...(await em.find(Preview, { status: 'live', provider: 'local' })).map((row) => ({ kind: 'preview' as const, row })),
    ...(await em.find(Deployment, { status: 'live', provider: 'local' })).map((row) => ({ kind: 'deployment' as const, row })),
  ];
  const failed: string[] = [];
  for (const { kind, row } of rows) {
    const ref = row.providerRef;
    if (!ref || (ref.data.root && existsSync(ref.data.root))) continue;
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
    failed.push(ref.resource);
  }
  await em.flush();
  return failed;
}
