import { randomUUID } from 'node:crypto';
import type { MikroORM } from '../../db/orm';
import { Membership, Organization, User } from '../../db/entities/index';
import type { Role } from '../../domain/roles';
import type { AccessTokens } from '../../api/auth/access-token';

export interface SeededUser {
  userId: string;
  email: string;
  token: string;
}

/**
 * Seeds rows directly (no HTTP) so suites other than the auth suite do not depend on the auth routes.
 * The password hash is a placeholder: seeded users sign in with the returned token only.
 */
export async function seedUser(orm: MikroORM, tokens: AccessTokens, name = 'seeded'): Promise<SeededUser> {
  const em = orm.em.fork();
  const email = `${name}-${randomUUID()}@example.test`;
  const user = em.create(User, { email, name, passwordHash: '!seeded' });
  await em.flush();
  return { userId: user.id, email, token: await tokens.sign({ userId: user.id }) };
}

export async function seedOrg(orm: MikroORM, members: Array<[SeededUser, Role]>, name = 'Seeded org'): Promise<string> {
  const em = orm.em.fork();
  const org = em.create(Organization, { name });
  for (const [user, role] of members) em.create(Membership, { organization: org, user: user.userId, role });
  await em.flush();
  return org.id;
}

/** One org with an admin, an editor and a viewer, plus an outsider who belongs to another org. */
export async function seedRoleMatrix(orm: MikroORM, tokens: AccessTokens) {
  const [admin, editor, viewer, outsider] = await Promise.all(
    ['admin', 'editor', 'viewer', 'outsider'].map((n) => seedUser(orm, tokens, n)),
  ) as [SeededUser, SeededUser, SeededUser, SeededUser];
  const orgId = await seedOrg(orm, [[admin, 'admin'], [editor, 'editor'], [viewer, 'viewer']]);
  const otherOrgId = await seedOrg(orm, [[outsider, 'admin']], 'Other org');
  return { orgId, otherOrgId, admin, editor, viewer, outsider };
}
