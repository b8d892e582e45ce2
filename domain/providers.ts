import { z } from 'zod';
import { providerNames } from './provider-names';

// Hosting providers: names, per-organization settings and secrets, and what a provider hands back.

export { deploymentResourceName, ownerOfResource, previewResourceName } from './provider-names';

/** One interface, chosen by name (activities/providers/provider.ts). `local` is the default. The words: domain/provider-names.ts. */
export const ProviderName = z.enum(providerNames);
export type ProviderName = z.infer<typeof ProviderName>;

const Secret = z.string().min(1).max(4096);

/** `host` is the Engine API address: a unix socket (`unix:///var/run/docker.sock`) or `http://host:2375`. */
export const DockerSettings = z.object({
  host: z.string().regex(/^(unix:\/\/\/|https?:\/\/)/, 'A unix:/// socket path or an http(s):// URL').default('unix:///var/run/docker.sock'),
  /** Container limits: every preview or deployment container runs with these. */
  memoryMb: z.int().min(64).max(16_384).default(256),
  cpus: z.number().min(0.1).max(16).default(0.5),
  /** Where the container's port is published; previews answer on http://<publicHost>:<port>. */
  publicHost: z.string().min(1).max(253).default('127.0.0.1'),
});
export const DockerSecrets = z.object({ registryAuth: Secret.optional() });

/** Render deploys an image (built and pushed by the docker provider's engine) into a web service. */
export const RenderSettings = z.object({
  ownerId: z.string().min(1).max(100),
  region: z.string().min(1).max(50).default('oregon'),
  plan: z.string().min(1).max(50).default('starter'),
  /** Image repository the built app is pushed to, e.g. `ghcr.io/acme/forge-apps`. */
  imageRepository: z.string().min(1).max(300),
  apiUrl: z.url().default('https://api.render.com/v1'),
});
export const RenderSecrets = z.object({ apiKey: Secret });

export const RailwaySettings = z.object({
  projectId: z.string().min(1).max(100),
  environmentId: z.string().min(1).max(100),
  imageRepository: z.string().min(1).max(300),
  apiUrl: z.url().default('https://backboard.railway.com/graphql/v2'),
});
export const RailwaySecrets = z.object({ apiToken: Secret });

/**
 * What an administrator saves per organization and provider. Secrets are write-only: they are
 * encrypted at rest and no answer, log line or event ever carries them back.
 */
export const ProviderConfigBody = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('local'), settings: z.object({}).default({}), secrets: z.object({}).default({}) }),
  z.object({ provider: z.literal('docker'), settings: DockerSettings, secrets: DockerSecrets.default({}) }),
  z.object({ provider: z.literal('render'), settings: RenderSettings, secrets: RenderSecrets }),
  z.object({ provider: z.literal('railway'), settings: RailwaySettings, secrets: RailwaySecrets }),
]);
export type ProviderConfigBody = z.infer<typeof ProviderConfigBody>;

export type ProviderSettings<N extends ProviderName> = Extract<ProviderConfigBody, { provider: N }>['settings'];
export type ProviderSecrets<N extends ProviderName> = Extract<ProviderConfigBody, { provider: N }>['secrets'];

export const ProviderConfigParams = z.object({ orgId: z.uuid(), provider: ProviderName });

/** `PUT /orgs/:orgId/providers/:provider`: checked against the provider's own schema above. Secrets are replaced whole. */
export const SaveProviderConfigBody = z.object({
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), z.string()).default({}),
});
export type SaveProviderConfigBody = z.infer<typeof SaveProviderConfigBody>;

export const ProviderConfigDto = z.object({
  provider: ProviderName,
  settings: z.record(z.string(), z.unknown()),
  /** Names of the secrets that are set; never their values. */
  secretNames: z.array(z.string()),
  updatedAt: z.iso.datetime(),
});
export type ProviderConfigDto = z.infer<typeof ProviderConfigDto>;

/**
 * A provider's handle on what it runs for one preview or deployment, stored on the row so a
 * later activity (stop, rollback, reaper) finds it after any restart. `resource` is the name the
 * provider was given (`preview-<id>`, `deploy-<id>`); `data` is the provider's own ids.
 */
export const ProviderRef = z.object({
  provider: ProviderName,
  resource: z.string().min(1).max(200),
  url: z.url(),
  data: z.record(z.string(), z.string()),
});
export type ProviderRef = z.infer<typeof ProviderRef>;

/** Why a preview or deployment failed: a stable code (domain/errors.ts DeliveryFailureType) and a sentence. */
export const DeliveryError = z.object({ code: z.string(), message: z.string() });
export type DeliveryError = z.infer<typeof DeliveryError>;

/** The addresses in a configuration that workers will call, by body path: each must pass the outbound guard. */
export function outboundAddresses(config: ProviderConfigBody): Array<[string, string]> {
  switch (config.provider) {
    case 'local': return [];
    case 'docker': return [['body.settings.host', config.settings.host]];
    case 'render':
    case 'railway': return [['body.settings.apiUrl', config.settings.apiUrl]];
  }
}
