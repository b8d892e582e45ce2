import pino from 'pino';
import { parseWorkerConfig } from '../domain/config';
import { handleShutdownSignals } from './shutdown-signal';

// The worker process. Signal handlers come first; the SDK, ORM and workflow bundle load after
// them (seconds on a busy machine), so a stop during startup is still a clean exit.
const config = parseWorkerConfig(process.env);
const logger = pino({ level: config.LOG_LEVEL, name: 'worker' });
const signals = handleShutdownSignals(logger);
const { runWorkerProcess } = await import('./worker-process');
await runWorkerProcess(config, logger, signals);
