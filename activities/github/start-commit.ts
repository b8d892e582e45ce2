import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { type GithubCommitInput, githubCommitWorkflowId } from '../../domain/github';
import type { Project } from '../../db/entities/index';
import type { githubCommitWorkflow } from '../../workflows/github-sync';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';

/**
 * Mirrors a saved version of a GitHub project as a commit: starts `github-commit-<project>-<n>`,
 * once (a second start is refused by its id). Called wherever a version is saved: the versions
 * routes and a job's save. Internal projects have nothing to mirror.
 */
export async function startGithubCommit(client: Client, taskQueue: string, project: Project, input: Omit<GithubCommitInput, 'projectId'>): Promise<void> {
  if (project.storageBackend !== 'github') return;
  try {
    await client.workflow.start<typeof githubCommitWorkflow>('githubCommitWorkflow', {
      workflowId: githubCommitWorkflowId(project.id, input.number),
      taskQueue,
      args: [{ ...input, projectId: project.id }],
      staticSummary: `Commit version ${input.number} of ${project.name} to GitHub`,
      typedSearchAttributes: searchAttributesOf.githubCommit({ organizationId: project.organization.id, projectId: project.id }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
