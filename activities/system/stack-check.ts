import type { MikroORM } from '../../db/orm';
import { recordAuditOnce } from '../../db/repositories/audit';
import type { BuildWorkspaceProbe } from '../../domain/stack-check';
import { currentActivity } from '../current-activity';

export interface StackCheckActivityDeps {
  orm: MikroORM;
}

export interface StackCheckRecord {
  auditLogId: string;
  /** When the row was first written (ISO); a retry returns the same instant. */
  at: string;
}

/** Storage side of the stack check (agents queue). */
export function createStackCheckActivities({ orm }: StackCheckActivityDeps) {
  return {
    /** Records the check in the audit log once per workflow run, however often it is retried. */
    async recordStackCheck(input: { organizationId: string | null; workspace: BuildWorkspaceProbe }): Promise<StackCheckRecord> {
      const { workflowId, idempotencyKey } = currentActivity();
      const row = await recordAuditOnce(orm.em.fork(), idempotencyKey, {
        actorId: null,
        organizationId: input.organizationId,
        action: 'system.stack_check',
        targetType: 'workflow',
        targetId: workflowId,
        details: { workspace: input.workspace },
      });
      return { auditLogId: row.id, at: row.createdAt.toISOString() };
    },
  };
}
