import type { Client, WorkflowStartOptions } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Workflow } from '@temporalio/common';

/**
 * Starts a workflow whose id is derived from its row; finding it already started means an
 * earlier attempt of the same request got this far, which is success, not a conflict.
 */
export async function startOnce<W extends Workflow>(temporal: Client, workflow: string | W, options: WorkflowStartOptions<W>): Promise<void> {
  try {
    await temporal.workflow.start(workflow, options);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
