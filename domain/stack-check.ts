import { z } from 'zod';

/** Input of the stack check: an end-to-end probe of API -> Temporal -> both workers -> Postgres. */
export const StackCheckInput = z.object({
  /** The organization whose audit log records the check; null for an operator's system check. */
  organizationId: z.uuid().nullable().default(null),
});
export type StackCheckInput = z.infer<typeof StackCheckInput>;

/** What the builds worker reports about the machine it builds on. */
export const BuildWorkspaceProbe = z.object({
  nodeVersion: z.string(),
  platform: z.string(),
  /** A scratch directory could be created, written, read back and removed. */
  scratchWritable: z.boolean(),
});
export type BuildWorkspaceProbe = z.infer<typeof BuildWorkspaceProbe>;

export const StackCheckResult = z.object({
  ok: z.boolean(),
  /** When the audit row was written (ISO), the same on every retry. */
  at: z.iso.datetime(),
  auditLogId: z.uuid(),
  workspace: BuildWorkspaceProbe,
});
export type StackCheckResult = z.infer<typeof StackCheckResult>;
