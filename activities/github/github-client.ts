import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { GithubFailureType } from '../../domain/errors';
import { GithubRepository } from '../../domain/github';
import { GithubConnection, Project } from '../../db/entities/index';
import { SecretBox, secretContext } from '../providers/secret-box';
import { onGithub } from './github-failure';

export type GithubSecret = { type: 'token'; token: string } | { type: 'app'; appId: number; privateKey: string };

/** The seal context of an organization's GitHub credential (never valid for another organization). */
export const githubSecretContext = (organizationId: string) => secretContext(organizationId, 'github');

/** Temporal owns retries (as for the LLM client): octokit's own are off, its logs are silent. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * An octokit for one repository. A token is used as it is; a GitHub App first finds the
 * repository's installation with its app JWT, then octokit's app authentication mints (and
 * caches) installation tokens for every call.
 */
export async function octokitFor(apiUrl: string, secret: GithubSecret, repo: Pick<GithubRepository, 'owner' | 'name'>): Promise<Octokit> {
  const base = { baseUrl: apiUrl.replace(/\/$/, ''), log: quiet, request: { retries: 0 } };
  if (secret.type === 'token') return new Octokit({ ...base, auth: secret.token });
  const auth = { appId: secret.appId, privateKey: secret.privateKey };
  const asApp = new Octokit({ ...base, authStrategy: createAppAuth, auth });
  const { data } = await onGithub(`finding the app installation of ${repo.owner}/${repo.name}`, () => asApp.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.name }));
  return new Octokit({ ...base, authStrategy: createAppAuth, auth: { ...auth, installationId: data.id } });
}

export interface ProjectGithub {
  project: Project;
  repo: GithubRepository;
  octokit: Octokit;
}

/** Opens the project's repository with its organization's credential; only agents-worker activities call this. */
export async function openProjectGithub(orm: MikroORM, encryptionKey: string | undefined, projectId: string, repository?: GithubRepository): Promise<ProjectGithub> {
  const em = orm.em.fork();
  const project = await em.findOne(Project, projectId);
  // A project deleted meanwhile (its commit or poll still queued): nothing to do, and never will be.
  if (!project) throw ApplicationFailure.nonRetryable(`Project ${projectId} no longer exists`, GithubFailureType.notConnected);
  if (!repository && project.storageBackend !== 'github') throw ApplicationFailure.nonRetryable('The project does not keep its versions on GitHub (any more)', GithubFailureType.notConnected);
  const repo = repository ?? GithubRepository.parse(project.storageConfig ?? {});
  const connection = await em.findOne(GithubConnection, project.organization.id);
  if (!connection) throw ApplicationFailure.nonRetryable('The organization has not connected GitHub: PUT /orgs/:orgId/github first', GithubFailureType.notConnected);
  if (!encryptionKey) throw ApplicationFailure.nonRetryable('ENCRYPTION_KEY is not set: the GitHub credential cannot be opened', GithubFailureType.notConnected);
  const opened = new SecretBox(encryptionKey).open(connection.sealedSecret, githubSecretContext(project.organization.id));
  const secret: GithubSecret = connection.type === 'token' ? { type: 'token', token: opened.token! } : { type: 'app', appId: connection.appId!, privateKey: opened.privateKey! };
  return { project, repo, octokit: await octokitFor(connection.apiUrl, secret, repo) };
}
