import { z } from 'zod';

/** viewer reads; editor also creates and changes projects, sessions, previews; admin also manages members and production deploys. */
export const Role = z.enum(['viewer', 'editor', 'admin']);
export type Role = z.infer<typeof Role>;

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export const roleAtLeast = (role: Role, minimum: Role): boolean => rank[role] >= rank[minimum];
