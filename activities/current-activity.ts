import { Context } from '@temporalio/activity';

export interface CurrentActivity {
  workflowId: string;
  runId: string;
  activityId: string;
  /**
   * The same on every retry of this activity in this workflow run, different in any other:
   * side effects keyed on it happen once.
   */
  idempotencyKey: string;
}

/** Who is running: the workflow execution and activity id of the current activity. */
export function currentActivity(): CurrentActivity {
  const { workflowExecution, activityId } = Context.current().info;
  // Forge runs activities only from workflows; a standalone activity has no run to key on.
  if (!workflowExecution) throw new Error('This activity must be scheduled by a workflow');
  const { workflowId, runId } = workflowExecution;
  return { workflowId, runId, activityId, idempotencyKey: `${workflowId}/${runId}/${activityId}` };
}
