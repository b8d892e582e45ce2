import { spawn } from 'node:child_process';
import pino from 'pino';
import { parseBuilderConfig } from '../domain/config';
import { repoRoot } from '../scripts/stack/paths';
import { builderLaunch, foreignVariables } from '../scripts/stack/builder-launch';
import { handleShutdownSignals } from './shutdown-signal';

// The builder process (`npm run builder`): the builds queue, with no secrets. Started with anything
// beyond its allowlist in the environment (a shell that exported DATABASE_URL), it does not serve
// from that process: it starts a clean one (scripts/stack/builder-launch.ts) and only relays signals and the exit code.
const foreign = foreignVariables(process.env);
if (foreign.length > 0 && process.env.FORGE_BUILDER_RELAUNCHED === undefined) {
  const launch = builderLaunch(process.env, repoRoot);
  const child = spawn(launch.command, launch.args, { cwd: repoRoot, env: { ...launch.env, FORGE_BUILDER_RELAUNCHED: '1' }, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const config = parseBuilderConfig(process.env);
  const logger = pino({ level: config.LOG_LEVEL, name: 'builder' });
  const unexpected = foreign.filter((key) => key !== 'FORGE_BUILDER_RELAUNCHED');
  if (unexpected.length > 0) logger.warn({ variables: unexpected }, 'unexpected variables in the builder environment');
  const signals = handleShutdownSignals(logger);
  const { runBuilderProcess } = await import('./builder-process');
  await runBuilderProcess(config, logger, signals);
}
