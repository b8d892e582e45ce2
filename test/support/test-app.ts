import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import pino from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../api/app';
import { AccessTokens } from '../../api/auth/access-token';
import { temporalConnection } from '../../api/dependencies/temporal-connection';
import type { AppDeps } from '../../api/deps';
import { createApiMetrics } from '../../api/metrics/api-metrics';
import { tracedClientInterceptors } from '../../api/http/traced-client';
import { attachRealtime, type Realtime } from '../../api/realtime/attach-realtime';
import { createMessageDelivery } from '../../api/agents/message-delivery';
import { SessionOrganizations } from '../../api/agents/session-organizations';
import type { RealtimeOptions } from '../../api/realtime/realtime-options';
import { initOrm } from '../../db/orm';
import { parseConfig, type Config } from '../../domain/config';

export interface TestApp {
  deps: AppDeps;
  server: Server;
  baseUrl: string;
  /** Calls the real HTTP API: `call('POST', '/auth/login', { body })`. */
  call: <T = any>(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; body: T; headers: Headers }>;
  close: () => Promise<void>;
  /** socket.io on the same server, when asked for with `{ realtime }`. */
  realtime?: Realtime;
}

export interface TestAppOptions {
  /** Attach socket.io (true for the defaults, or limits to override). */
  realtime?: boolean | Partial<RealtimeOptions>;
  /** A fixed port, e.g. to restart a node where its clients reconnect; default ephemeral. */
  port?: number;
  /** Skip the connectivity check at start, as the API itself does (for a Temporal that is down). */
  lazyTemporal?: boolean;
}

/** The run's namespace on the run's server; a test's own Temporal server has only `default`. */
export const testNamespaceFor = (address: string | undefined) =>
  address === undefined || address === inject('temporalAddress') ? inject('temporalNamespace') : 'default';

export const testSecret = 'test-secret-test-secret-test-secret-0123456789';

export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: testNamespaceFor(overrides.TEMPORAL_ADDRESS),
    JWT_SECRET: testSecret,
    AUTH_RATE_LIMIT: '1000',
    // The fake provider APIs listen on loopback over http.
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    // Suites share organizations across many jobs and previews: quotas are tested on their own (abuse-quotas).
    QUOTA_CONCURRENT_JOBS: '1000',
    QUOTA_MESSAGES_PER_MINUTE: '10000',
    QUOTA_QUEUED_MESSAGES_PER_SESSION: '1000',
    QUOTA_LIVE_PREVIEWS: '1000',
    QUOTA_DEPLOYMENTS: '1000',
    ...overrides,
  });
}

/** A real API on an ephemeral port, backed by the run's test database and the real Temporal server. */
export async function startTestApp(overrides: Partial<Record<keyof Config, string>> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const orm = await initOrm(config.DATABASE_URL);
  // The API's own connection (bounded deadlines), checked at start unless the test wants it down.
  const connection = temporalConnection(config);
  if (!options.lazyTemporal) await connection.ensureConnected();
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracedClientInterceptors() });
  const logger = pino({ level: 'silent' });
  const metrics = createApiMetrics();
  const deliveries = createMessageDelivery(temporal, orm, logger, metrics, config.MESSAGE_SWEEP_MS);
  deliveries.start();
  const deps: AppDeps = {
    config,
    orm,
    temporal,
    logger,
    deliveries,
    sessionOrganizations: new SessionOrganizations(),
    tokens: new AccessTokens(config.JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS),
    metrics,
  };
  const server = createServer(createApp(deps));
  const realtime = options.realtime ? await attachRealtime(server, deps, options.realtime === true ? {} : options.realtime) : undefined;
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

  const call: TestApp['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body, headers: response.headers };
  };

  return {
    deps,
    server,
    baseUrl,
    call,
    realtime,
    close: async () => {
      await realtime?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deliveries.close();
      await connection.close();
      await orm.close();
    },
  };
}
