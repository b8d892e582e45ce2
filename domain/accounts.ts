import { z } from 'zod';
import { Role } from './roles';
import { EmailAddress, trimmedText } from './schema-bounds';

// Request and response bodies of the accounts API: auth, organizations, members, invites, audit.

/** Emails are compared lower-cased everywhere (sign-in, uniqueness, invite binding). */
export const Email = EmailAddress.toLowerCase();
/** The upper bound keeps one request from costing an arbitrarily long argon2 hash. */
export const Password = z.string().min(8, 'Password must be at least 8 characters').max(256);
const Name = trimmedText(100);
const Timestamp = z.iso.datetime();

export const SignupBody = z.object({ email: Email, password: Password, name: Name, organizationName: Name.optional() });
export type SignupBody = z.infer<typeof SignupBody>;

// No minimum on sign-in: an old short password must still get the same 401, not a 400 that reveals the rule.
export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(256) });
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(512) });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const UserDto = z.object({ id: z.uuid(), email: z.string(), name: z.string(), createdAt: Timestamp });
export type UserDto = z.infer<typeof UserDto>;

export const OrganizationDto = z.object({ id: z.uuid(), name: z.string(), createdAt: Timestamp });
export type OrganizationDto = z.infer<typeof OrganizationDto>;

/** An organization as seen by one of its members. */
export const MyOrganization = OrganizationDto.extend({ role: Role });
export type MyOrganization = z.infer<typeof MyOrganization>;

export const TokenPair = z.object({ accessToken: z.string(), refreshToken: z.string() });
export type TokenPair = z.infer<typeof TokenPair>;

export const SignupResponse = TokenPair.extend({ user: UserDto, organization: OrganizationDto });
export const LoginResponse = TokenPair.extend({ user: UserDto });

export const MembershipOfMe = z.object({ organization: z.object({ id: z.uuid(), name: z.string() }), role: Role });
export type MembershipOfMe = z.infer<typeof MembershipOfMe>;

export const MeResponse = z.object({ user: UserDto, memberships: z.array(MembershipOfMe) });
export type MeResponse = z.infer<typeof MeResponse>;

export const OrgParams = z.object({ orgId: z.uuid() });
export const MemberParams = OrgParams.extend({ userId: z.uuid() });

export const CreateOrganizationBody = z.object({ name: Name });

export const MemberDto = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
  role: Role,
  joinedAt: Timestamp,
});
export type MemberDto = z.infer<typeof MemberDto>;

export const ChangeRoleBody = z.object({ role: Role });

export const CreateInviteBody = z.object({ email: Email, role: Role });

export const InviteDto = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  email: z.string(),
  role: Role,
  expiresAt: Timestamp,
  createdAt: Timestamp,
  /** Shown once, in the answer to the admin who created the invite; only its hash is stored. */
  token: z.string(),
});
export type InviteDto = z.infer<typeof InviteDto>;

export const AuditEntryDto = z.object({
  id: z.uuid(),
  actorId: z.uuid().nullable(),
  organizationId: z.uuid().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  at: Timestamp,
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;
