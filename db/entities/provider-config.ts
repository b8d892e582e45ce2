import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ProviderName } from '../../domain/providers';
import { baseProperties } from './base';
import { Organization } from './organization';

/**
 * An organization's settings for one hosting provider. `secrets` holds only the AES-256-GCM
 * sealed form (activities/providers/secret-box.ts); the plain values exist in memory only while a
 * provider call needs them.
 */
export const ProviderConfig = defineEntity({
  name: 'ProviderConfig',
  tableName: 'provider_configs',
  uniques: [{ properties: ['organization', 'provider'] }],
  properties: {
    ...baseProperties,
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    provider: p.enum(ProviderName.options),
    settings: p.json<Record<string, unknown>>(),
    /** Sealed secrets (`v1.<iv>.<tag>.<ciphertext>`); null when the provider needs none. */
    sealedSecrets: p.text().nullable(),
    /** Names of the sealed secrets, so answers can say which are set without opening them. */
    secretNames: p.json<string[]>(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type ProviderConfig = InferEntity<typeof ProviderConfig>;
