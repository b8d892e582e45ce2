import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { MikroORM } from '../db/orm';
import type { Config } from '../domain/config';
import type { MessageDelivery } from './agents/message-delivery';
import type { SessionOrganizations } from './agents/session-organizations';
import type { AccessTokens } from './auth/access-token';
import type { ApiMetrics } from './metrics/api-metrics';

/** Everything route factories need, opened once by the bootstrap (api/main.ts) or a test fixture. */
export interface AppDeps {
  config: Config;
  orm: MikroORM;
  temporal: Client;
  logger: Logger;
  tokens: AccessTokens;
  metrics: ApiMetrics;
  /** Hands admitted messages to their sessions (one per process: it sweeps the outbox). */
  deliveries: MessageDelivery;
  /** Each session's organization, known without a read once seen (one per process). */
  sessionOrganizations: SessionOrganizations;
}
