import type { CodeVersion, Project, VersionCommit } from '../../db/entities/index';
import type { ProjectDto } from '../../domain/projects';
import type { FileEntry, VersionDto, VersionSummaryDto } from '../../domain/versions';

// Projects and versions become answers only through these functions (see api/dto/accounts.ts).

export const toProjectDto = (project: Project): ProjectDto => ({
  id: project.id,
  organizationId: project.organization.id,
  name: project.name,
  slug: project.slug,
  storageBackend: project.storageBackend,
  currentVersion: project.currentVersion ?? null,
  publishedVersion: project.publishedVersion ?? null,
  createdAt: project.createdAt.toISOString(),
  updatedAt: project.updatedAt.toISOString(),
});

export const toVersionSummaryDto = (version: CodeVersion): VersionSummaryDto => ({
  number: version.number,
  parentVersion: version.parentVersion ?? null,
  message: version.message,
  source: version.source,
  storageRef: version.storageRef,
  authorId: version.authorId ?? null,
  createdAt: version.createdAt.toISOString(),
});

/** `commit`: the version's GitHub commit, once a GitHub project's version has been committed. */
export const toVersionDto = (version: CodeVersion, files: FileEntry[], commit: VersionCommit | null = null): VersionDto => ({
  ...toVersionSummaryDto(version),
  files,
  commit: commit ? { sha: commit.sha, pullRequestUrl: commit.pullRequestUrl ?? null } : null,
});
