import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Role } from '../../domain/roles';
import { baseProperties } from './base';
import { Organization } from './organization';
import { User } from './user';

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['organization', 'user'] }],
  // `GET /me` and `GET /orgs` look memberships up by user.
  indexes: [{ properties: ['user'] }],
  properties: {
    ...baseProperties,
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    role: p.enum(Role.options),
  },
});
export type Membership = InferEntity<typeof Membership>;
