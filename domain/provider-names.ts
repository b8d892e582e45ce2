// Hosting providers' names and the names of what they run, without zod, for workflows
// (domain/value-checks.ts says why); `ProviderName` in domain/providers.ts is the zod enum.

/** One interface, chosen by name (activities/providers/provider.ts). `local` is the default. */
export const providerNames = ['local', 'docker', 'render', 'railway'] as const;
export type ProviderName = (typeof providerNames)[number];

export const isProviderName = (value: unknown): value is ProviderName => (providerNames as readonly unknown[]).includes(value);

/** Resource names carry their owner, so the reaper can tell whose a resource is from its name alone. */
export const previewResourceName = (previewId: string) => `preview-${previewId}`;
export const deploymentResourceName = (deploymentId: string) => `deploy-${deploymentId}`;

export function ownerOfResource(resource: string): { kind: 'preview' | 'deployment'; id: string } | null {
  const match = /^(preview|deploy)-([0-9a-f-]{36})$/.exec(resource);
  if (!match) return null;
  return { kind: match[1] === 'preview' ? 'preview' : 'deployment', id: match[2]! };
}
