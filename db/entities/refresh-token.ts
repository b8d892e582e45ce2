import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';
import { User } from './user';

/**
 * One opaque refresh token, stored only as its sha256 hash. Rotation spends a token and issues the
 * next one in the same family; presenting a spent token again revokes the whole family, because
 * only a stolen copy can be replayed after its legitimate owner already rotated it.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  indexes: [{ properties: ['familyId'] }],
  properties: {
    ...baseProperties,
    user: () => p.manyToOne(User).deleteRule('cascade'),
    /** Every token descending from one sign-in shares it. */
    familyId: p.uuid(),
    tokenHash: p.string().unique(),
    expiresAt: p.datetime(),
    /** Set when rotated; a second use is a replay. */
    usedAt: p.datetime().nullable(),
    /** Set for the whole family on logout or on a detected replay. */
    revokedAt: p.datetime().nullable(),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;
