import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createGithubActivities } from '../activities/github/github-activities';
import type { GithubCommitInput, GithubRepository } from '../domain/github';
import { providerCall } from './activity-options';

type Github = ReturnType<typeof createGithubActivities>;
/** GitHub is a third-party API: rate limits wait for their reset (nextRetryDelay), outages back off. */
const github = proxyActivities<Github>(providerCall);

/** A saved version as one commit on the project's branch, or on a branch of its own with a pull request (`github-commit-<projectId>-<n>`). */
export async function githubCommitWorkflow(input: GithubCommitInput): Promise<{ sha: string; pullRequestUrl: string | null }> {
  setCurrentDetails(`committing version ${input.number}`);
  const result = await github.commitVersionToGithub(input);
  setCurrentDetails(`version ${input.number} is commit ${result.sha}${result.pullRequestUrl ? ` (${result.pullRequestUrl})` : ''}`);
  return result;
}

/** The branch head as a version: when a project connects, and for each push made outside Forge (webhook or poll). */
export async function githubImportWorkflow(input: { projectId: string; source: 'import' | 'external'; repository?: GithubRepository; connect?: boolean }): Promise<{ version: number | null; sha: string | null }> {
  setCurrentDetails(input.connect ? 'connecting the repository' : 'importing the branch head');
  const result = await github.importGithubBranch(input);
  setCurrentDetails(result.version ? `imported ${result.sha} as version ${result.version}` : `nothing new at ${result.sha ?? 'an empty branch'}`);
  return result;
}
