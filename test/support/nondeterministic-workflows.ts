import { sleep } from '@temporalio/workflow';
import type { JobOutcome, JobWorkflowInput } from '../../domain/agent-workflows';
import { codegenJobWorkflow as released } from '../../workflows/codegen-job';

/**
 * A workflows bundle with one innocent-looking edit to the codegen job: a pause before its first
 * step. Every job recorded before the edit replays differently (a timer where the history has an
 * activity), so codegen-replay.test.ts uses it to prove the replay check catches such a change.
 */
export async function codegenJobWorkflow(input: JobWorkflowInput): Promise<JobOutcome> {
  await sleep('1 second');
  return released(input);
}
