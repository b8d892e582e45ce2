import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { localServerHost } from '../activities/builds/build-activities';
import { restartHaltedServers } from '../activities/builds/restart-halted-servers';
import { resolveSandbox } from '../activities/builds/sandbox-policy';
import type { BuilderConfig } from '../domain/config';
import { createBuilderWorker } from './create-workers';
import { installWorkerRuntime } from './telemetry';
import { startTracing } from '../telemetry/tracing';
import { temporalLogger } from './logging';
import { workerBuild } from './versioning';
import { loadWorkflowBundle } from './workflow-bundle-cache';
import { runWorkers } from './run-workers';
import { sandboxSelfCheck } from './sandbox-self-check';
import type { ShutdownSignals } from './shutdown-signal';

/**
 * One Temporal connection and the builds worker, nothing else: no ORM, no LLM client. The sandbox
 * is checked at startup so an operator sees at once what every build would fail with.
 */
export async function runBuilderProcess(config: BuilderConfig, logger: Logger, signals: ShutdownSignals): Promise<void> {
  const metrics = installWorkerRuntime(config, logger);
  const tracing = startTracing({ serviceName: 'forge-builder', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  try {
    const sandbox = resolveSandbox(config.BUILD_SANDBOX, config.NODE_ENV);
    if (sandbox.warning) logger.warn(sandbox.warning);
    else {
      const check = await sandboxSelfCheck();
      if (check.ok) logger.info({ detail: check.detail }, 'sandbox self-check passed');
      else logger.error({ detail: check.detail }, 'sandbox self-check failed: builds will fail');
    }
  } catch (err) {
    // Still serve: each build then fails with this typed error, visible on the preview, instead of waiting for a builder.
    logger.error({ error: (err as Error).message }, 'no build sandbox: every build will fail');
  }
  // The builder runs no workflows, but joins the agents worker's deployment version (the hash of
  // the same workflow code), so the builds a pinned job schedules reach builders of its own build.
  const [workflows, connection] = await Promise.all([
    loadWorkflowBundle({ logger: temporalLogger(logger) }),
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
  ]);
  const build = workerBuild(config, workflows.hash);
  try {
    const builds = await createBuilderWorker({ connection, config, build, metrics, tracing });
    // Previews and deployments halted when the stack last stopped come back before builds run.
    // Without a sandbox none can start (localServerHost throws): logged, and the builder still serves.
    const restarted = await (async () => restartHaltedServers(localServerHost(config)))().catch((error: Error) => logger.warn({ error: error.message }, 'local servers not restored'));
    if (restarted && (restarted.restarted.length || restarted.gone.length)) logger.info(restarted, 'local servers restored');
    signals.armDraining();
    logger.info({ builds: builds.options.taskQueue, sandbox: config.BUILD_SANDBOX, ...build }, 'builder polling');
    await runWorkers([builds], signals.stop);
    logger.info('builder stopped');
  } finally {
    await connection.close();
  }
}
