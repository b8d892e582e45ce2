import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { baseProperties } from './base';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    ...baseProperties,
    /** Stored lower-cased; unique across the platform. */
    email: p.string().unique(),
    name: p.string(),
    /** argon2id hash (PHC string); never serialized. */
    passwordHash: p.string().hidden(),
  },
});
export type User = InferEntity<typeof User>;
