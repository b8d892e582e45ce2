import type { Octokit } from '@octokit/rest';
import { type GithubRepository, versionTrailer } from '../../domain/github';
import { absentOn404, onGithub } from './github-failure';
import { gitBlobSha, INLINE_MAX_BYTES, type TreeFile } from './git-objects';

export interface CommitRequest {
  projectId: string;
  number: number;
  message: string;
  files: TreeFile[];
  /** Commit to a branch of its own and open a pull request into `repo.branch`. */
  pullRequest: boolean;
}

export interface CommitResult {
  sha: string;
  pullRequestUrl: string | null;
  /** Whether an earlier attempt had already made it (found by its trailer). */
  found: boolean;
}

type TreeEntry = { path: string; mode: '100644'; type: 'blob'; content?: string; sha?: string | null };

/** How far back a retry looks for its own commit: a retry follows its attempt within minutes. */
const TRAILER_SEARCH_DEPTH = 30;

/**
 * One version as exactly one commit, with the Git Data API: the changed files (small ones inline
 * in the tree, larger ones as blobs), one tree on the head's tree, one commit, one ref update.
 * Idempotent: the commit message ends with a trailer naming the version, and a retry that finds
 * it on the branch answers it instead of committing again.
 */
export async function commitVersion(gh: Octokit, repo: GithubRepository, request: CommitRequest): Promise<CommitResult> {
  const target = { owner: repo.owner, repo: repo.name };
  const branch = request.pullRequest ? `forge/version-${request.number}-${request.projectId.slice(0, 8)}` : repo.branch;
  const trailer = versionTrailer(request.projectId, request.number);

  const head = await absentOn404(`reading branch ${branch}`, () => gh.rest.git.getRef({ ...target, ref: `heads/${branch}` }));
  if (head) {
    const recent = await onGithub(`listing commits of ${branch}`, () => gh.rest.repos.listCommits({ ...target, sha: branch, per_page: TRAILER_SEARCH_DEPTH }));
    const mine = recent.data.find((c) => c.commit.message.split('\n').includes(trailer));
    if (mine) return { sha: mine.sha, pullRequestUrl: request.pullRequest ? await openPullRequest(gh, repo, branch, request) : null, found: true };
  }
  const baseSha = head?.data.object.sha ?? (request.pullRequest ? (await onGithub(`reading branch ${repo.branch}`, () => gh.rest.git.getRef({ ...target, ref: `heads/${repo.branch}` }))).data.object.sha : null);

  // What the branch holds now, so only changed files are sent and removed ones are dropped.
  const baseCommit = baseSha ? (await onGithub('reading the head commit', () => gh.rest.git.getCommit({ ...target, commit_sha: baseSha }))).data : null;
  const baseTree = baseCommit ? (await onGithub('reading the head tree', () => gh.rest.git.getTree({ ...target, tree_sha: baseCommit.tree.sha, recursive: 'true' }))).data.tree : [];
  const before = new Map(baseTree.filter((e) => e.type === 'blob').map((e) => [e.path!, e.sha!]));
  const wanted = new Set(request.files.map((f) => f.path));
  const changed = request.files.filter((f) => before.get(f.path) !== gitBlobSha(f.bytes));
  const entries: TreeEntry[] = [];
  for (const file of changed) {
    if (file.bytes.length <= INLINE_MAX_BYTES) {
      entries.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, content: file.bytes.toString('utf8') });
      continue;
    }
    const blob = await onGithub(`uploading ${file.path}`, () => gh.rest.git.createBlob({ ...target, content: file.bytes.toString('base64'), encoding: 'base64' }));
    entries.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, sha: blob.data.sha });
  }
  for (const path of before.keys()) if (!wanted.has(path)) entries.push({ path, mode: '100644' as const, type: 'blob' as const, sha: null });

  const tree = await onGithub('writing the tree', () => gh.rest.git.createTree({ ...target, tree: entries, ...(baseCommit ? { base_tree: baseCommit.tree.sha } : {}) }));
  const commit = await onGithub('writing the commit', () =>
    gh.rest.git.createCommit({ ...target, message: `${request.message}\n\n${trailer}`, tree: tree.data.sha, parents: baseSha ? [baseSha] : [] }),
  );
  const sha = commit.data.sha;
  if (head) await onGithub(`moving ${branch}`, () => gh.rest.git.updateRef({ ...target, ref: `heads/${branch}`, sha, force: false }));
  else await onGithub(`creating ${branch}`, () => gh.rest.git.createRef({ ...target, ref: `refs/heads/${branch}`, sha }));
  return { sha, pullRequestUrl: request.pullRequest ? await openPullRequest(gh, repo, branch, request) : null, found: false };
}

async function openPullRequest(gh: Octokit, repo: GithubRepository, branch: string, request: CommitRequest): Promise<string> {
  const pull = await onGithub('opening the pull request', () =>
    gh.rest.pulls.create({ owner: repo.owner, repo: repo.name, head: branch, base: repo.branch, title: request.message.split('\n')[0]!.slice(0, 200), body: `Version ${request.number}, saved by Forge.` }),
  );
  return pull.data.html_url;
}
