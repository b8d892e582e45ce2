import type { AuditLog, Invite, Membership, Organization, User } from '../../db/entities/index';
import type { AuditEntryDto, InviteDto, MemberDto, MembershipOfMe, MyOrganization, OrganizationDto, UserDto } from '../../domain/accounts';

// Entities become answers only through these functions: a field reaches a client because it is
// listed here (never the password hash, never a token hash), not because the entity has it.

export const toUserDto = (user: User): UserDto => ({ id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() });

export const toOrganizationDto = (org: Organization): OrganizationDto => ({ id: org.id, name: org.name, createdAt: org.createdAt.toISOString() });

/** Needs `organization` populated. */
export const toMyOrganization = (membership: Membership): MyOrganization => ({ ...toOrganizationDto(membership.organization), role: membership.role });

/** Needs `organization` populated. */
export const toMembershipOfMe = (membership: Membership): MembershipOfMe => ({
  organization: { id: membership.organization.id, name: membership.organization.name },
  role: membership.role,
});

/** Needs `user` populated. */
export const toMemberDto = (membership: Membership): MemberDto => ({
  user: { id: membership.user.id, email: membership.user.email, name: membership.user.name },
  role: membership.role,
  joinedAt: membership.createdAt.toISOString(),
});

export const toInviteDto = (invite: Invite, token: string): InviteDto => ({
  id: invite.id,
  organizationId: invite.organization.id,
  email: invite.email,
  role: invite.role,
  expiresAt: invite.expiresAt.toISOString(),
  createdAt: invite.createdAt.toISOString(),
  token,
});

export const toAuditEntryDto = (row: AuditLog): AuditEntryDto => ({
  id: row.id,
  actorId: row.actorId ?? null,
  organizationId: row.organizationId ?? null,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId ?? null,
  ip: row.ip ?? null,
  details: row.details ?? null,
  at: row.createdAt.toISOString(),
});
