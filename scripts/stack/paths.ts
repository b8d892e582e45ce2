import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the dev stack keeps its state: everything under the git-ignored .tools/ and .data/. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const toolsDir = join(repoRoot, '.tools');
export const dataDir = join(repoRoot, '.data');
export const logsDir = join(dataDir, 'logs');
export const temporalBinary = join(toolsDir, 'bin', 'temporal');

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a TCP port`);
  return port;
}

/**
 * The stack's ports. Each can be moved by an environment variable, so a second checkout (or a
 * measurement next to a running stack) does not collide with the first.
 */
export const stackPorts = {
  postgres: envPort('FORGE_PG_PORT', 5433),
  temporal: envPort('FORGE_TEMPORAL_PORT', 7233),
  temporalUi: envPort('FORGE_TEMPORAL_UI_PORT', 8233),
  api: envPort('PORT', 4000),
  model: envPort('MODEL_PORT', 4010),
};

/** The variable that moves each port, for error messages. */
export const portVariables = {
  postgres: 'FORGE_PG_PORT',
  temporal: 'FORGE_TEMPORAL_PORT',
  temporalUi: 'FORGE_TEMPORAL_UI_PORT',
  api: 'PORT',
  model: 'MODEL_PORT',
} as const satisfies Record<keyof typeof stackPorts, string>;

/** The default local stack: the cluster in .data/pg and the dev server's SQLite file. */
export const localStack = {
  pgDataDir: join(dataDir, 'pg'),
  temporalDbFile: join(dataDir, 'temporal.db'),
  temporalPidFile: join(dataDir, 'temporal.pid'),
};

/** A URL of the dev cluster, with its password (scripts/stack/dev-password.ts). */
export const postgresUrl = (port: number, database: string, password: string) =>
  `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/** The same URL for printing: the password masked. */
export const maskedUrl = (url: string) => url.replace(/^(postgresql:\/\/[^:/@]+):[^@]*@/, '$1:***@');
