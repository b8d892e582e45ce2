import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { ProviderConfig } from '../../db/entities/index';
import { DeliveryFailureType } from '../../domain/errors';
import { DockerSettings, ProviderConfigBody, type ProviderName } from '../../domain/providers';
import { DockerEngine } from './docker-engine-client';
import { createDockerProvider, type ImagePublisher } from './docker-provider';
import { outboundPolicy } from './outbound-guard';
import { createLocalProvider } from './local-provider';
import type { ServerHost } from './local-server-process';
import type { Provider } from './provider';
import { createRailwayProvider } from './railway-provider';
import { createRenderProvider } from './render-provider';
import { secretContext, type SecretBox } from './secret-box';

export interface ProviderDeps {
  /** Where the local provider keeps its servers: set on builders only, which alone run them. */
  localServers?: ServerHost;
  /** Opens sealed secrets; undefined when ENCRYPTION_KEY is not set. */
  secretBox: SecretBox | undefined;
}

/** The host's own Docker engine (the default socket): chosen by the operator, so outside the tenant guard. */
function operatorDocker() {
  const settings = DockerSettings.parse({});
  return createDockerProvider(settings, {}, new DockerEngine(settings.host, outboundPolicy([settings.host])));
}

/** A provider from a validated configuration (settings + opened secrets). */
export function createProvider(config: ProviderConfigBody, deps: Pick<ProviderDeps, 'localServers'>, publisher?: ImagePublisher): Provider {
  const images = () => publisher ?? operatorDocker();
  switch (config.provider) {
    case 'local':
      if (!deps.localServers) throw new Error('The local provider runs on builders only (builds queue)');
      return createLocalProvider(deps.localServers);
    case 'docker':
      return createDockerProvider(config.settings, config.secrets);
    case 'render':
      return createRenderProvider(config.settings, config.secrets, images());
    case 'railway':
      return createRailwayProvider(config.settings, config.secrets, images());
  }
}

const notConfigured = (message: string) => ApplicationFailure.nonRetryable(message, DeliveryFailureType.providerNotConfigured);

/** The organization's saved configuration for `name`, secrets opened; `local` needs none. */
export async function loadProviderConfig(em: EntityManager, deps: ProviderDeps, organizationId: string, name: ProviderName): Promise<ProviderConfigBody | null> {
  if (name === 'local') return { provider: 'local', settings: {}, secrets: {} };
  const row = await em.findOne(ProviderConfig, { organization: organizationId, provider: name });
  if (!row) return null;
  let secrets: Record<string, string> = {};
  if (row.sealedSecrets) {
    if (!deps.secretBox) throw notConfigured('ENCRYPTION_KEY is not set: provider secrets cannot be opened');
    secrets = deps.secretBox.open(row.sealedSecrets, secretContext(organizationId, name));
  }
  const parsed = ProviderConfigBody.safeParse({ provider: name, settings: row.settings, secrets });
  // Never echo the parse error's input: it holds the opened secrets.
  if (!parsed.success) throw notConfigured(`The saved ${name} configuration is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}

/** The provider an organization uses under `name`, ready to call. */
export async function loadProvider(em: EntityManager, deps: ProviderDeps, organizationId: string, name: ProviderName): Promise<Provider> {
  const config = await loadProviderConfig(em, deps, organizationId, name);
  if (!config) throw notConfigured(`The organization has no ${name} configuration: an admin saves one with PUT /orgs/${organizationId}/providers/${name}`);
  // Images for render and railway are built by the organization's own Docker engine when it has one.
  const docker = name === 'render' || name === 'railway' ? await loadProviderConfig(em, deps, organizationId, 'docker') : null;
  const publisher = docker?.provider === 'docker' ? createDockerProvider(docker.settings, docker.secrets) : undefined;
  return createProvider(config, deps, publisher);
}
