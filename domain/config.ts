import { z } from 'zod';
import { quotaConfig, quotaConfigKeys } from './quotas';

/**
 * Environment, parsed once by each process bootstrap (api/main.ts, worker/main.ts).
 * Defaults describe the local dev stack that `npm start` provisions.
 */
/** An empty variable (`OPENAI_API_KEY=`) counts as unset, as shells and .env files write it. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

/**
 * AES-256-GCM key for provider secrets at rest (activities/providers/secret-box.ts): 32 random
 * bytes, base64. Setup writes one to .data/dev.env; there is deliberately no built-in default, and
 * production refuses to start without one (requireProductionSecrets).
 */
const EncryptionKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32)');

/** Previews and deployments: where builds happen, how they are confined, which provider serves previews. */
const deliveryConfig = {
  ENCRYPTION_KEY: unsetWhenEmpty(EncryptionKey.optional()),
  /** Build workspaces, artifacts, the dependency cache and the local provider's state (relative to the working directory). */
  BUILDS_DIR: z.string().min(1).default('.data/builds'),
  /** The provisioned generated-app toolchain (scripts/provision-check-deps.sh): the warm dependency set. */
  BUILD_TOOLCHAIN_DIR: z.string().min(1).default('.tools/check-deps'),
  /**
   * `bwrap` (the default; `auto` is its old name) requires bubblewrap: without it builds fail with
   * `sandbox_unavailable`. Only `none`, set by an operator, runs tenant code unconfined (refused in
   * production, logged at every build).
   */
  BUILD_SANDBOX: z.enum(['auto', 'bwrap', 'none']).default('bwrap'),
  BUILD_CPU_SECONDS: z.coerce.number().int().positive().default(120),
  BUILD_MEMORY_MB: z.coerce.number().int().positive().default(2048),
  BUILD_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300),
  /** Memory of one local preview server process. */
  PREVIEW_SERVER_MEMORY_MB: z.coerce.number().int().positive().default(256),
  PREVIEW_PROVIDER: z.enum(['local', 'docker', 'render', 'railway']).default('local'),
  /**
   * Hosts that tenant-chosen provider addresses may name although they are not public https
   * (activities/providers/outbound-guard.ts), comma-separated: names, IPs or `unix:///path` sockets.
   */
  OUTBOUND_ALLOW_HOSTS: z.string().default(''),
  /**
   * Whether a worker registers the preview reaper's Temporal Schedule. `auto`: only for unprefixed
   * queues (the namespace's own environment), so tests and benches on throwaway queue prefixes
   * leave no schedule behind; a long-lived prefixed environment sets `on`.
   */
  PREVIEW_REAPER_SCHEDULE: z.enum(['auto', 'on', 'off']).default('auto'),
};
/**
 * What `npm start` reads when it stops: it halts the local provider's preview and deployment
 * servers under BUILDS_DIR unless FORGE_KEEP_PREVIEWS=true (the next worker restarts them).
 */
export const StackStopConfig = z.object({
  BUILDS_DIR: deliveryConfig.BUILDS_DIR,
  FORGE_KEEP_PREVIEWS: unsetWhenEmpty(z.enum(['true', 'false']).default('false')),
});
export type StackStopConfig = z.infer<typeof StackStopConfig>;

/** Rollouts and observability of worker processes (README, "Operating Forge"). */
const operatorConfig = {
  /** Worker Versioning: workers join a Worker Deployment as a version whose build id is the workflow bundle's hash. */
  WORKER_VERSIONING: z.enum(['on', 'off']).default('on'),
  /** Default: `<TEMPORAL_TASK_QUEUE_PREFIX>forge`, so stacks sharing a Temporal server never share a deployment. */
  WORKER_DEPLOYMENT_NAME: unsetWhenEmpty(z.string().regex(/^[\w.-]+$/).optional()),
  /** Make this build the deployment's current version once it polls; auto: yes except in production, where operators roll out. */
  WORKER_SET_CURRENT_VERSION: z.enum(['auto', 'on', 'off']).default('auto'),
  /** OTLP over HTTP (`<endpoint>/v1/traces`) for OpenTelemetry traces; unset: tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetWhenEmpty(z.string().url().optional()),
  /** host:port of the worker's Prometheus endpoint (SDK and Forge metrics); unset: no endpoint. */
  WORKER_METRICS_ADDRESS: unsetWhenEmpty(z.string().regex(/^[\w.:[\]-]+:\d+$/, 'host:port').optional()),
  /** The SDK's per-promise stack traces in workflow threads (the `__stack_trace` query); read by worker/workflow-stack-traces.ts. */
  WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
};
const operatorConfigKeys = Object.fromEntries(Object.keys(operatorConfig).map((k) => [k, true])) as { [K in keyof typeof operatorConfig]: true };
const deliveryConfigKeys = Object.fromEntries(Object.keys(deliveryConfig).map((k) => [k, true])) as { [K in keyof typeof deliveryConfig]: true };

export const Config = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5433/forge'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Deadline of one API call to the Temporal server, retries included: past it the request answers 503. */
  TEMPORAL_RPC_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Deadline of calls that wait on a workflow (an update's handler, a run's close). */
  TEMPORAL_WAIT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** How often an API node hands on admitted messages still undelivered (Temporal was down, a node died). */
  MESSAGE_SWEEP_MS: z.coerce.number().int().positive().default(5_000),
  /** HMAC key for access tokens. Setup writes a random one to .data/dev.env for development. */
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(30 * 24 * 3600),
  INVITE_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  /** Secret of GitHub webhook deliveries (POST /webhooks/github); unset turns the route off (503). */
  GITHUB_WEBHOOK_SECRET: unsetWhenEmpty(z.string().min(16).optional()),
  /** How often a GitHub project's branch is polled for pushes (a Temporal Schedule per project); 0: webhooks only. */
  GITHUB_POLL_SECONDS: z.coerce.number().int().nonnegative().default(300),
  /** Requests per minute per IP on /auth routes. */
  AUTH_RATE_LIMIT: z.coerce.number().int().positive().default(20),
  /** When set, GET /metrics asks for `Authorization: Bearer <METRICS_TOKEN>`; unset: open (a scraper on a private network). */
  METRICS_TOKEN: unsetWhenEmpty(z.string().min(16).optional()),
  /** Failed sign-ins per account in 15 minutes before that account's sign-in answers 429 (whatever the address). */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  /** Largest JSON request body of every route but version uploads. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** Largest JSON body of a version upload: up to 20 MiB of files plus escaping headroom. */
  UPLOAD_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  /** socket.io connections one user may hold open on one API node. */
  SOCKET_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  /**
   * Express `trust proxy`: which hops may set X-Forwarded-For (the client address of rate limits and
   * audit rows). `loopback` (default: a proxy on the same host), `false`, a hop count, or addresses/subnets, comma-separated.
   */
  TRUST_PROXY: z.string().default('loopback').transform((v): boolean | number | string =>
    v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v),
  /** Prepended to the task queue names (domain/task-queues.ts); lets environments share a namespace. */
  TEMPORAL_TASK_QUEUE_PREFIX: z.string().regex(/^[\w.-]*$/).default(''),
  /** A session with no message for this long closes itself (its workflow completes). */
  SESSION_IDLE_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  /** Turns a session workflow runs before it continues-as-new, even when Temporal does not suggest it. */
  SESSION_MAX_TURNS: z.coerce.number().int().positive().default(50),
  /** Grace time for in-flight activities when a worker shuts down. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** Builds are CPU-bound: run about one per core per worker process. */
  WORKER_MAX_CONCURRENT_BUILDS: z.coerce.number().int().positive().default(2),
  ...operatorConfig,
  /** Any OpenAI-compatible endpoint; unset with no key means the offline model server (MODEL_PORT). */
  OPENAI_BASE_URL: unsetWhenEmpty(z.string().url().optional()),
  /** Unset: `npm start` runs the offline model server and the client talks to it. */
  OPENAI_API_KEY: unsetWhenEmpty(z.string().optional()),
  LLM_MODEL_ROUTER: z.string().min(1).default('forge-offline'),
  LLM_MODEL_PLANNER: z.string().min(1).default('forge-offline'),
  LLM_MODEL_CODER: z.string().min(1).default('forge-offline'),
  LLM_MODEL_FIXER: z.string().min(1).default('forge-offline'),
  /** Condenses a session's older turns once into a stored summary (activities/agents/conversation.ts). */
  LLM_MODEL_SUMMARIZER: z.string().min(1).default('forge-offline'),
  /** Conversation tokens a router or planner call gets (coder half of it, fixer none); older turns are condensed. */
  LLM_HISTORY_TOKENS: z.coerce.number().int().min(100).default(4_000),
  /** Per request, and the longest silence tolerated inside a stream. */
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** USD per million prompt / completion tokens, for the cost shown on jobs, sessions and usage (offline model: free). */
  LLM_PRICE_PROMPT_PER_MTOK: z.coerce.number().nonnegative().default(0),
  LLM_PRICE_COMPLETION_PER_MTOK: z.coerce.number().nonnegative().default(0),
  /** The offline model server (`npm run model`). */
  MODEL_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /** Fixed delay before every answer and between streamed tokens, for benchmarks. */
  MODEL_LATENCY_MS: z.coerce.number().int().nonnegative().default(0),
  MODEL_TOKEN_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
  /** Exposes the scripted-fault control API (/_control) for end-to-end tests; never in production. */
  MODEL_CONTROL: z.stringbool().default(false),
  ...deliveryConfig,
  ...quotaConfig,
});
export type Config = z.infer<typeof Config>;

/** What the LLM client needs (activities/llm/client.ts). */
const llmConfigKeys = {
  OPENAI_BASE_URL: true,
  OPENAI_API_KEY: true,
  LLM_MODEL_ROUTER: true,
  LLM_MODEL_PLANNER: true,
  LLM_MODEL_CODER: true,
  LLM_MODEL_FIXER: true,
  LLM_MODEL_SUMMARIZER: true,
  LLM_HISTORY_TOKENS: true,
  LLM_TIMEOUT_MS: true,
  MODEL_PORT: true,
} as const;
export const LlmConfig = Config.pick(llmConfigKeys);
export type LlmConfig = z.infer<typeof LlmConfig>;

/** What a worker process reads: no API secrets, so a worker host never holds the token key. */
export const WorkerConfig = Config.pick({
  NODE_ENV: true,
  LOG_LEVEL: true,
  DATABASE_URL: true,
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
  TEMPORAL_TASK_QUEUE_PREFIX: true,
  WORKER_SHUTDOWN_GRACE_MS: true,
  WORKER_MAX_CONCURRENT_BUILDS: true,
  ...operatorConfigKeys,
  ...llmConfigKeys,
  ...deliveryConfigKeys,
  // The worker caps each job's token budget by the organization's monthly tokens and job budget.
  ...quotaConfigKeys,
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/**
 * What a builder process reads (worker/builder-main.ts): Temporal, its build limits, nothing else.
 * No database URL, ENCRYPTION_KEY, JWT_SECRET, LLM key or provider credential: it runs tenant code
 * (sandboxed), so a hostile build finds nothing to steal. scripts/stack/builder-launch.ts starts it with
 * only these variables.
 */
export const BuilderConfig = Config.pick({
  NODE_ENV: true,
  LOG_LEVEL: true,
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
  TEMPORAL_TASK_QUEUE_PREFIX: true,
  WORKER_SHUTDOWN_GRACE_MS: true,
  WORKER_MAX_CONCURRENT_BUILDS: true,
  BUILDS_DIR: true,
  BUILD_TOOLCHAIN_DIR: true,
  BUILD_SANDBOX: true,
  BUILD_CPU_SECONDS: true,
  BUILD_MEMORY_MB: true,
  BUILD_TIMEOUT_SECONDS: true,
  PREVIEW_SERVER_MEMORY_MB: true,
  OUTBOUND_ALLOW_HOSTS: true,
  WORKER_VERSIONING: true,
  WORKER_DEPLOYMENT_NAME: true,
  OTEL_EXPORTER_OTLP_ENDPOINT: true,
  WORKER_METRICS_ADDRESS: true,
});
export type BuilderConfig = z.infer<typeof BuilderConfig>;

/** A builder refuses to start in production without its sandbox: BUILD_SANDBOX=none is for an operator's own machine. */
export function parseBuilderConfig(env: Record<string, string | undefined>): BuilderConfig {
  const config = parseEnv(BuilderConfig, env);
  if (config.NODE_ENV === 'production' && config.BUILD_SANDBOX === 'none') {
    throw new Error('Invalid environment:\n  BUILD_SANDBOX: none is refused in production (tenant code must run inside bubblewrap)');
  }
  return config;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  return requireProductionSecrets(parseEnv(Config, env));
}

export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  return requireProductionSecrets(parseEnv(WorkerConfig, env));
}

/**
 * Development may run without ENCRYPTION_KEY (saving provider secrets then fails with a clear
 * error); production must not start without it, rather than fail on the first secret it touches.
 */
function requireProductionSecrets<C extends Pick<Config, 'NODE_ENV' | 'ENCRYPTION_KEY'>>(config: C): C {
  if (config.NODE_ENV === 'production' && !config.ENCRYPTION_KEY) {
    throw new Error('Invalid environment:\n  ENCRYPTION_KEY: required in production (32 random bytes, base64: openssl rand -base64 32)');
  }
  return config;
}

/**
 * `npm run api|worker` alone, with no DATABASE_URL: the dev cluster, with the password that
 * scripts/run.sh exports from .data/dev.env (FORGE_PG_PASSWORD) on its port (FORGE_PG_PORT).
 */
function withDevDatabaseUrl(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.DATABASE_URL || !env.FORGE_PG_PASSWORD) return env;
  return { ...env, DATABASE_URL: `postgresql://postgres:${encodeURIComponent(env.FORGE_PG_PASSWORD)}@127.0.0.1:${env.FORGE_PG_PORT || 5433}/forge` };
}

function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(withDevDatabaseUrl(env));
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}
