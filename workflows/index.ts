// The workflows bundle: every workflow the agents worker runs is exported here.
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { sessionWorkflow } from './session';

export { stackCheckWorkflow } from './stack-check';
export { sessionWorkflow };
export { codegenJobWorkflow } from './codegen-job';
export { previewWorkflow } from './preview';
export { deploymentWorkflow } from './deployment';
export { previewReaperWorkflow } from './preview-reaper';
export { projectDeletionWorkflow } from './project-deletion';
export { githubCommitWorkflow, githubImportWorkflow } from './github-sync';

// Worker Versioning (worker/versioning.ts): workers default to PINNED, so a job, preview or
// deployment runs to its end on the build that started it. A session lives for days and only
// waits for messages and starts jobs: it moves to each new current build (its changes go behind
// `patched()`, checked by the replay test), while the jobs it starts pin to the build they start on.
// Only on a versioned worker: an unversioned one (WORKER_VERSIONING=off, tests) must not name a behavior.
setWorkflowOptions(() => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}), sessionWorkflow);
