import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { BuilderConfig } from '../../domain/config';

/** What a builder process may see of its environment: its config and what Node itself needs. */
export const builderEnvKeys: readonly string[] = [...BuilderConfig.keyof().options, 'PATH', 'PWD', 'LANG', 'TZ'];

/** Only the allowlisted variables: no DATABASE_URL, ENCRYPTION_KEY, JWT_SECRET, LLM key, provider credential. */
export function builderEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(builderEnvKeys.flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]!]])));
}

/** Variables set here that a builder must not hold (names only, for the log). */
export const foreignVariables = (env: NodeJS.ProcessEnv): string[] => Object.keys(env).filter((key) => !builderEnvKeys.includes(key));

let bwrapPath: string | null | undefined;
/** The bwrap this process finds, as an absolute path (the builder's own PATH may be narrower), or null. */
const wrapper = () => (bwrapPath ??= (() => {
  const found = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'bwrap')).find(existsSync);
  if (!found) return null;
  try {
    execFileSync(found, ['--dev-bind', '/', '/', '--', '/bin/true'], { stdio: 'ignore', timeout: 5_000 });
    return found;
  } catch {
    return null;
  }
})());

/**
 * The argv and environment that start a builder process: the allowlisted environment, and, where
 * bubblewrap works, a view of the file system in which the repository's `.data/` (the dev env
 * file with its secrets, PostgreSQL's and Temporal's data) is an empty tmpfs, with only the builds
 * directory bound back. Without bubblewrap the environment is still scrubbed (and every build then
 * fails until the sandbox is there, unless BUILD_SANDBOX=none).
 */
export function builderLaunch(env: NodeJS.ProcessEnv, repoRoot: string, entry = 'worker/builder-main.ts'): { command: string; args: string[]; env: Record<string, string> } {
  const clean = builderEnv(env);
  const node = [process.execPath, '--import', 'tsx', entry];
  const bwrap = wrapper();
  if (!bwrap) return { command: node[0]!, args: node.slice(1), env: clean };
  const buildsDir = resolve(repoRoot, clean.BUILDS_DIR ?? '.data/builds');
  mkdirSync(buildsDir, { recursive: true });
  const hide = ['--tmpfs', join(repoRoot, '.data'), '--bind', buildsDir, buildsDir];
  return { command: bwrap, args: ['--dev-bind', '/', '/', ...hide, '--chdir', repoRoot, '--', ...node], env: clean };
}
