import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/stack/paths';
import { cliTypeName, searchAttributes } from '../../scripts/stack/temporal-search-attributes';

// No Docker engine runs here, so the production shape is checked by reading it: services, images,
// ports, health checks, start order and the environment that wires them together.
interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  configs?: Array<{ source: string; target: string }>;
  restart?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  configs: Record<string, { content: string }>;
}

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const env = (name: string) => service(name).environment ?? {};
const oneShots = ['temporal-setup', 'migrate'];
const longRunning = ['postgres', 'temporal', 'temporal-ui', 'api', 'worker'];

describe('docker-compose.yml', () => {
  it('has the production services, on pinned images, the apps built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...longRunning, ...oneShots].sort());
    expect(service('postgres').image).toMatch(/^postgres:\d+$/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(service('temporal-setup').image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    for (const app of ['api', 'worker', 'migrate']) {
      expect(service(app)).toMatchObject({ build: '.', image: 'forge:latest' });
    }
    expect(read('Dockerfile')).toMatch(/^FROM node:24-slim$/m);
  });

  it('runs entry points that exist in this repository', () => {
    const entries = { api: 'api/main.ts', worker: 'worker/main.ts', migrate: 'scripts/migrate.ts' };
    for (const [name, entry] of Object.entries(entries)) {
      expect(service(name).command).toEqual(['node', '--import', 'tsx', entry]);
      expect(existsSync(join(repoRoot, entry)), entry).toBe(true);
    }
    const workerCheck = service('worker').healthcheck!.test;
    expect(existsSync(join(repoRoot, workerCheck.at(-1)!))).toBe(true);
  });

  it('gives every long-running service a health check and lets the one-shots run once', () => {
    for (const name of longRunning) expect(service(name).healthcheck?.test[0], name).toMatch(/^CMD(-SHELL)?$/);
    for (const name of oneShots) expect(service(name).restart, name).toBe('no');
    expect(service('api').healthcheck!.test.join(' ')).toContain('http://127.0.0.1:4000/api/v1/health');
    expect(service('temporal').healthcheck!.test).toEqual(expect.arrayContaining(['temporal', '--address', 'temporal:7233']));
  });

  it('starts each service after what it needs', () => {
    const healthy = { condition: 'service_healthy' };
    const completed = { condition: 'service_completed_successfully' };
    expect(service('temporal').depends_on).toEqual({ postgres: healthy });
    expect(service('temporal-setup').depends_on).toEqual({ temporal: healthy });
    expect(service('temporal-ui').depends_on).toEqual({ temporal: healthy });
    expect(service('migrate').depends_on).toEqual({ postgres: healthy });
    for (const app of ['api', 'worker']) {
      expect(service(app).depends_on).toEqual({ migrate: completed, 'temporal-setup': completed });
    }
  });

  it('publishes the API on 4000, the Temporal UI on 8080 and gRPC on loopback only', () => {
    expect(service('api').ports).toEqual(['4000:4000']);
    expect(service('temporal-ui').ports).toEqual(['8080:8080']);
    expect(service('temporal').ports).toEqual(['127.0.0.1:7233:7233']);
    expect(service('postgres').ports).toBeUndefined();
  });

  it('puts Temporal on the postgres service, in the databases its init script creates', () => {
    expect(env('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DB_PORT: 5432, POSTGRES_USER: 'forge' });
    expect(env('temporal').DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/forge.yaml');
    const init = service('postgres').configs!.find((c) => c.target.startsWith('/docker-entrypoint-initdb.d/'))!;
    const sql = compose.configs[init.source]!.content;
    for (const database of [env('temporal').DBNAME, env('temporal').VISIBILITY_DBNAME]) {
      expect(sql).toContain(`CREATE DATABASE ${database};`);
    }
    const dynamic = service('temporal').configs!.find((c) => c.target.endsWith('/forge.yaml'))!;
    expect(parse(compose.configs[dynamic.source]!.content)).toHaveProperty(['frontend.enableUpdateWorkflowExecution']);
  });

  it('registers every search attribute the workflows declare, with its type', () => {
    const setup = service('temporal-setup');
    expect(setup.environment).toEqual({ TEMPORAL_ADDRESS: 'temporal:7233' });
    const args = [...setup.entrypoint!, ...setup.command!];
    expect(args.slice(0, 4)).toEqual(['temporal', 'operator', 'search-attribute', 'create']);
    const names = args.filter((a) => a.startsWith('--name=')).map((a) => a.slice('--name='.length));
    expect(names.sort()).toEqual(searchAttributes.map((key) => key.name).sort());
    expect(new Set(searchAttributes.map((key) => cliTypeName(key.type)))).toEqual(new Set(['Keyword']));
    expect(args).toContain('--type=Keyword');
  });

  it('wires the API and the worker to postgres and temporal, the token key to the API only', () => {
    for (const app of ['api', 'worker', 'migrate']) {
      const url = new URL(String(env(app).DATABASE_URL));
      expect([url.hostname, url.port, url.pathname]).toEqual(['postgres', '5432', `/${service('postgres').environment!.POSTGRES_DB}`]);
      expect(env(app).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env(app).NODE_ENV).toBe('production');
      expect(env(app).ENCRYPTION_KEY).toMatch(/^\$\{ENCRYPTION_KEY:\?/);
    }
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env('api')).toMatchObject({ HOST: '0.0.0.0', PORT: 4000 });
    expect(env('api').JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env('worker')).not.toHaveProperty('JWT_SECRET');
  });

  it('keeps local state and installs out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.tools', '.data', '.git']));
  });
});
