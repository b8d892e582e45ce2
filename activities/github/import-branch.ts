import type { Octokit } from '@octokit/rest';
import { ApplicationFailure } from '@temporalio/common';
import { describePath, filePathProblem } from '../../domain/file-path';
import { GithubFailureType } from '../../domain/errors';
import { type GithubRepository, TRAILER_PATTERN } from '../../domain/github';
import { VersionLimits } from '../../domain/versions';
import { absentOn404, onGithub } from './github-failure';

export interface BranchSnapshot {
  sha: string;
  /** A head Forge already holds (its own commit or an earlier import): nothing else was read. */
  known?: true;
  message: string;
  /** Made by Forge (its trailer names the project): nothing to import. */
  forgeVersion: number | null;
  files: Array<{ path: string; content: string }>;
}

/** Every reason the branch cannot be a version, not only the first: the user fixes them in one go. */
function problemsOf(entries: Array<{ path: string; size: number; type: string }>): string[] {
  const { maxFiles, maxFileBytes, maxVersionBytes } = VersionLimits;
  const problems: string[] = [];
  const blobs = entries.filter((e) => e.type === 'blob');
  for (const e of entries.filter((e) => e.type === 'commit')) problems.push(`${describePath(e.path)} is a submodule`);
  if (blobs.length > maxFiles) problems.push(`the branch has ${blobs.length} files, over the ${maxFiles}-file limit`);
  for (const e of blobs) {
    const problem = filePathProblem(e.path);
    if (problem) problems.push(`path ${describePath(e.path)} ${problem}`);
    if (e.size > maxFileBytes) problems.push(`${describePath(e.path)} is ${e.size} bytes, over the ${maxFileBytes}-byte limit`);
  }
  const total = blobs.reduce((sum, e) => sum + e.size, 0);
  if (total > maxVersionBytes) problems.push(`the files add up to ${total} bytes, over the ${maxVersionBytes}-byte limit`);
  return problems;
}

/**
 * The files at the head of a branch (null when the branch does not exist), held to the rules of
 * an upload; what breaks them is listed in one non-retryable `github_unimportable` failure.
 */
export async function readBranch(gh: Octokit, repo: GithubRepository, projectId: string, isKnown: (sha: string) => Promise<boolean>): Promise<BranchSnapshot | null> {
  const target = { owner: repo.owner, repo: repo.name };
  const ref = await absentOn404(`reading branch ${repo.branch}`, () => gh.rest.git.getRef({ ...target, ref: `heads/${repo.branch}` }));
  if (!ref) return null;
  const sha = ref.data.object.sha;
  // One call when nothing moved: polls and job starts ask often.
  if (await isKnown(sha)) return { sha, known: true, message: '', forgeVersion: null, files: [] };
  const commit = (await onGithub('reading the head commit', () => gh.rest.git.getCommit({ ...target, commit_sha: sha }))).data;
  const tree = (await onGithub('reading the head tree', () => gh.rest.git.getTree({ ...target, tree_sha: commit.tree.sha, recursive: 'true' }))).data;
  const entries = tree.tree.map((e) => ({ path: e.path ?? '', size: e.size ?? 0, type: e.type ?? 'blob', sha: e.sha ?? '' }));
  const problems = [...problemsOf(entries), ...(tree.truncated ? ['the tree is too large for GitHub to list in one answer'] : [])];
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: GithubFailureType.unimportable,
      message: `Branch ${repo.branch} of ${repo.owner}/${repo.name} cannot be imported: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`,
      nonRetryable: true,
      details: [{ problems }],
    });
  }
  const trailer = TRAILER_PATTERN.exec(commit.message);
  const files = [];
  for (const e of entries.filter((e) => e.type === 'blob')) {
    const blob = await onGithub(`reading ${e.path}`, () => gh.rest.git.getBlob({ ...target, file_sha: e.sha }));
    files.push({ path: e.path, content: Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8') });
  }
  return { sha, message: commit.message, forgeVersion: trailer && trailer[1] === projectId ? Number(trailer[2]) : null, files };
}
