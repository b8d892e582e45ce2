import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Role } from '../../domain/roles';
import { baseProperties } from './base';
import { Organization } from './organization';
import { User } from './user';

/** A single-use, expiring invitation into an organization, bound to the email it was sent to. */
export const Invite = defineEntity({
  name: 'Invite',
  tableName: 'invites',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    ...baseProperties,
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    /** Lower-cased; only the user with this email may accept. */
    email: p.string(),
    role: p.enum(Role.options),
    /** sha256 of the token: the token itself is shown once, to the admin who created the invite. */
    tokenHash: p.string().unique(),
    invitedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
  },
});
export type Invite = InferEntity<typeof Invite>;
