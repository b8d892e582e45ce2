import { seedRoleMatrix, type SeededUser } from './seed';
import type { TestApp } from './test-app';

export type Actor = 'admin' | 'editor' | 'viewer' | 'outsider';
export type RoleMatrix = Awaited<ReturnType<typeof seedRoleMatrix>>;

const actors: Actor[] = ['admin', 'editor', 'viewer', 'outsider'];

/**
 * Makes the same call as each of admin, editor, viewer (members of `matrix.orgId`) and an outsider
 * (admin of another organization), each against its own freshly seeded matrix so one actor's
 * successful mutation cannot change what the next one sees. Returns the status per actor, for
 * `expect(...).toEqual({ admin: 200, editor: 403, viewer: 403, outsider: 404 })`.
 */
export async function statusByActor(
  app: TestApp,
  attempt: (matrix: RoleMatrix, actor: SeededUser) => Promise<{ status: number }>,
): Promise<Record<Actor, number>> {
  const statuses = {} as Record<Actor, number>;
  for (const actor of actors) {
    const matrix = await seedRoleMatrix(app.deps.orm, app.deps.tokens);
    statuses[actor] = (await attempt(matrix, matrix[actor])).status;
  }
  return statuses;
}
