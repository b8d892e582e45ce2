import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './paths';

let cached: string | undefined;

/**
 * The dev cluster's `postgres` password: FORGE_PG_PASSWORD, else the one scripts/setup.sh wrote to
 * .data/dev.env (random, mode 600). Every URL the stack builds carries it.
 */
export function devPgPassword(): string {
  if (cached) return cached;
  let password = process.env.FORGE_PG_PASSWORD;
  if (!password) {
    try {
      password = /^FORGE_PG_PASSWORD=(.+)$/m.exec(readFileSync(join(dataDir, 'dev.env'), 'utf8'))?.[1]?.trim();
    } catch {
      // no dev.env yet: the error below names the fix
    }
  }
  if (!password) throw new Error('No PostgreSQL password: run `npm run setup` (it writes FORGE_PG_PASSWORD to .data/dev.env) or set FORGE_PG_PASSWORD.');
  return (cached = password);
}
