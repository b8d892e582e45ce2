import type { Context } from '@temporalio/activity';
import type { ActivityOutboundCallsInterceptor } from '@temporalio/worker';

/**
 * Activity log lines carry the SDK's workflowId and runId; this adds `jobId` (the id in
 * `job-<jobId>`, domain/workflow-ids.ts), the key every other record of a job uses.
 */
export function jobLogAttributes(ctx: Context): ActivityOutboundCallsInterceptor {
  const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
  return {
    getLogAttributes: (input, next) => next(workflowId.startsWith('job-') ? { ...input, jobId: workflowId.slice('job-'.length) } : input),
  };
}
