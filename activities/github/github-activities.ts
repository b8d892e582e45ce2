import type { MikroORM } from '@mikro-orm/postgresql';
import type { GithubCommitInput, GithubRepository } from '../../domain/github';
import { topicFor } from '../../domain/events';
import { Project, VersionCommit } from '../../db/entities/index';
import { appendEvents } from '../../db/repositories/event-log';
import { findVersion } from '../../db/repositories/versions';
import { storageFor } from '../storage/index';
import { commitVersion } from './commit-version';
import { openProjectGithub } from './github-client';
import { readBranch } from './import-branch';

export interface GithubDeps {
  orm: MikroORM;
  config: { ENCRYPTION_KEY?: string };
}

const firstLine = (message: string) => message.split('\n')[0]!.trim().slice(0, 200);

/**
 * GitHub storage steps (agents queue, the only place the credential is opened). Both are
 * idempotent: a version's commit is found by its trailer (or its version_commits row), an
 * imported head by its sha (the version's idempotency key `github:<sha>`).
 */
export function createGithubActivities({ orm, config }: GithubDeps) {
  return {
    async commitVersionToGithub(input: GithubCommitInput): Promise<{ sha: string; pullRequestUrl: string | null }> {
      const em = orm.em.fork();
      const known = await em.findOne(VersionCommit, { projectId: input.projectId, number: input.number });
      if (known) return { sha: known.sha, pullRequestUrl: known.pullRequestUrl ?? null };
      const { project, repo, octokit } = await openProjectGithub(orm, config.ENCRYPTION_KEY, input.projectId);
      const version = await findVersion(em, input.projectId, input.number);
      const files = await storageFor(em, project).getFiles(version);
      const result = await commitVersion(octokit, repo, {
        projectId: input.projectId,
        number: input.number,
        message: version.message,
        files: files.map((f) => ({ path: f.path, bytes: Buffer.from(f.content, 'utf8') })),
        pullRequest: input.pullRequest ?? false,
      });
      await em.transactional(async (tx) => {
        await tx.createQueryBuilder(VersionCommit).insert({ projectId: input.projectId, number: input.number, sha: result.sha, pullRequestUrl: result.pullRequestUrl, createdAt: new Date() }).onConflict(['projectId', 'number']).ignore().execute();
        const data = { version: input.number, sha: result.sha, pullRequestUrl: result.pullRequestUrl };
        await appendEvents(tx, topicFor('project', input.projectId), [{ type: 'version.committed', data, key: `github-commit:${input.projectId}:${input.number}` }]);
        if (input.jobId && result.pullRequestUrl) {
          await appendEvents(tx, topicFor('job', input.jobId), [{ type: 'github.pull_request', data: { ...data, url: result.pullRequestUrl }, key: `github-pr:${input.projectId}:${input.number}` }]);
        }
      });
      return { sha: result.sha, pullRequestUrl: result.pullRequestUrl };
    },

    /**
     * The branch head as a new version (`import` when connecting, `external` for a push made
     * outside Forge); nothing when the head is Forge's own commit or was imported before. With
     * `connect`, the project switches to GitHub storage only after the import went through.
     */
    async importGithubBranch(input: { projectId: string; source: 'import' | 'external'; repository?: GithubRepository; connect?: boolean }): Promise<{ version: number | null; sha: string | null }> {
      const { project, repo, octokit } = await openProjectGithub(orm, config.ENCRYPTION_KEY, input.projectId, input.repository);
      const em = orm.em.fork();
      const snapshot = await readBranch(octokit, repo, input.projectId, async (sha) => (await em.count(VersionCommit, { projectId: project.id, sha })) > 0);
      let version: number | null = null;
      if (snapshot && !snapshot.known && snapshot.forgeVersion === null) {
        const storage = storageFor(em, project);
        const entries = await storage.putFiles(snapshot.files);
        const current = (await em.refresh(project))?.currentVersion ?? null;
        const saved = await storage.saveVersion({
          parentVersion: current,
          message: firstLine(snapshot.message) || `Import ${repo.owner}/${repo.name}@${repo.branch}`,
          source: input.source,
          authorId: null,
          files: entries.map(({ path, hash }) => ({ path, hash })),
          idempotencyKey: `github:${snapshot.sha}`,
        });
        version = saved.version.number;
        await em.createQueryBuilder(VersionCommit).insert({ projectId: project.id, number: version, sha: snapshot.sha, pullRequestUrl: null, createdAt: new Date() }).onConflict(['projectId', 'number']).ignore().execute();
      }
      if (input.connect) {
        await em.nativeUpdate(Project, { id: project.id }, { storageBackend: 'github', storageConfig: repo, updatedAt: new Date() });
      }
      return { version, sha: snapshot?.sha ?? null };
    },
  };
}
