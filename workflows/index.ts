// The workflows bundle: every workflow the agents worker runs is exported here.
export { stackCheckWorkflow } from './stack-check';
export { sessionWorkflow } from './session';
export { codegenJobWorkflow } from './codegen-job';
export { previewWorkflow } from './preview';
export { deploymentWorkflow } from './deployment';
export { previewReaperWorkflow } from './preview-reaper';
export { projectDeletionWorkflow } from './project-deletion';
export { githubCommitWorkflow, githubImportWorkflow } from './github-sync';
