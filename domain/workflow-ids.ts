/**
 * Workflow ids are readable and derived from the row they drive, so starting the same job twice
 * is refused by Temporal (WorkflowExecutionAlreadyStarted) instead of running it twice.
 */
export const sessionWorkflowId = (sessionId: string) => `session-${sessionId}`;
export const jobWorkflowId = (jobId: string) => `job-${jobId}`;
export const previewWorkflowId = (previewId: string) => `preview-${previewId}`;
export const deployWorkflowId = (deploymentId: string) => `deploy-${deploymentId}`;
export const stackCheckWorkflowId = (checkId: string) => `stack-check-${checkId}`;
/** One deletion per project at a time: a second DELETE while it runs finds it instead of starting another. */
export const projectDeletionWorkflowId = (projectId: string) => `project-deletion-${projectId}`;
