import { z } from 'zod';

// GitHub as a project's storage: the organization's connection, a project's repository and the
// trailer that names the version a commit holds (the failure types of GitHub calls: domain/errors.ts).

const Name = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'Letters, digits, ".", "-" and "_" only');

export const GithubRepository = z.object({
  owner: Name,
  name: Name,
  branch: z.string().min(1).max(250).regex(/^(?!\/|.*\.\.|.*\/\/|.*\/$)[A-Za-z0-9._/-]+$/, 'Not a valid branch name').default('main'),
});
export type GithubRepository = z.infer<typeof GithubRepository>;

/**
 * How an organization reaches GitHub: a GitHub App (installation tokens are made from the app's id
 * and private key for each repository) or a fine-grained personal access token. `apiUrl` is for
 * GitHub Enterprise Server (and the tests' local server); it defaults to api.github.com.
 */
export const GithubConnectionBody = z.object({
  apiUrl: z.url().optional(),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('token'), token: z.string().min(20).max(500) }),
    z.object({ type: z.literal('app'), appId: z.coerce.number().int().positive(), privateKey: z.string().min(100).max(10_000).includes('PRIVATE KEY') }),
  ]),
});
export type GithubConnectionBody = z.infer<typeof GithubConnectionBody>;

/** Never the secret: only which kind of credential is stored. */
export const GithubConnectionDto = z.object({ type: z.enum(['token', 'app']), apiUrl: z.string(), appId: z.number().nullable(), updatedAt: z.iso.datetime() });
export type GithubConnectionDto = z.infer<typeof GithubConnectionDto>;

export const DEFAULT_GITHUB_API = 'https://api.github.com';

/** PUT /projects/:id/storage: keep files in Postgres only, or also as commits on a GitHub branch. */
export const StorageSettingsBody = z.discriminatedUnion('backend', [
  z.object({ backend: z.literal('internal') }),
  z.object({ backend: z.literal('github'), repository: GithubRepository }),
]);
export type StorageSettingsBody = z.infer<typeof StorageSettingsBody>;

/** Last line of every commit Forge makes; a retry finds its commit by it instead of committing twice. */
export const versionTrailer = (projectId: string, number: number) => `Forge-Version: ${projectId}/${number}`;
export const TRAILER_PATTERN = /^Forge-Version: ([0-9a-f-]{36})\/(\d+)$/m;

/** Input of `githubCommitWorkflow` (id `github-commit-<projectId>-<number>`). */
export interface GithubCommitInput {
  projectId: string;
  number: number;
  /** The job that saved it: its events get the pull request's URL. */
  jobId?: string;
  pullRequest?: boolean;
}

export const githubCommitWorkflowId = (projectId: string, number: number) => `github-commit-${projectId}-${number}`;
export const githubImportWorkflowId = (projectId: string, sha: string) => `github-import-${projectId}-${sha}`;
/** One poll schedule per GitHub project (for setups where GitHub cannot reach the webhook). */
export const githubPollScheduleId = (projectId: string) => `github-poll-${projectId}`;
