import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, BuildError } from '../../activities/builds/build-app';
import { buildPaths } from '../../activities/builds/build-paths';
import { dependencySetKey, resolveDependencies } from '../../activities/builds/dependency-cache';
import { checkAppHealth, hasElementWithId, referencedAssets, rootElementIdOf } from '../../activities/builds/health-check';
import { resolveSandbox } from '../../activities/builds/sandbox-policy';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { generatedAppPackages } from '../../domain/llm-protocol';
import { previewResourceName } from '../../domain/providers';
import { generatedApp, slowBuildingApp } from '../support/app-fixtures';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forge-local-'));
});
afterAll(async () => {
  const local = createLocalProvider({ dir: join(root, 'local-servers'), sandbox: 'none', memoryMb: 64 });
  for (const resource of await local.list()) await local.remove(resource);
  if (root) await rm(root, { recursive: true, force: true });
});

const kind = resolveSandbox('auto').kind;
const paths = () => buildPaths({ BUILDS_DIR: root, BUILD_TOOLCHAIN_DIR: resolve('.tools/check-deps') });
const sandbox = (timeoutMs = 120_000) => ({ kind, limits: { cpuSeconds: 120, memoryMb: 2048, timeoutMs }, tmpRoot: join(root, 'tmp'), npmCache: join(root, 'npm-cache') });

function build(files: ReturnType<typeof generatedApp>, timeoutMs?: number) {
  const stages: string[] = [];
  const lines: string[] = [];
  const artifact = buildApp(
    { buildId: randomUUID(), version: 1, files },
    { paths: paths(), sandbox: sandbox(timeoutMs), onStage: async (s) => void stages.push(s), onLine: (l) => lines.push(l) },
  );
  return { artifact, stages, lines };
}

describe('building a generated app', () => {
  it('reuses the provisioned toolchain for the standard dependency set, with no install', async () => {
    const { artifact, stages, lines } = build(generatedApp('toolchain build'));
    const built = await artifact;
    expect(stages).toEqual(['materialize', 'install', 'build']);
    expect(built.dependencies).toBe('toolchain');
    expect(built.rootElementId).toBe('root');
    expect(lines).toContain('dependencies: reused from the toolchain');
    expect(await readFile(join(built.dir, 'index.html'), 'utf8')).toContain('<div id="root"></div>');
  });

  it('fails clearly when the build goes over a limit', async () => {
    const { artifact } = build(slowBuildingApp('too slow', 30), 1_500);
    const err = await artifact.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect(err).toMatchObject({ code: 'limit_exceeded', message: 'vite build did not finish within its wall-clock limit of 2 s' });
  });
});

describe('the dependency cache', () => {
  it('installs a dependency set once, then serves it without npm (no registry on a warm build)', async () => {
    const set = { dependencies: { 'left-pad': '1.3.0' }, devDependencies: {} };
    let installs = 0;
    const options = {
      depCache: join(root, 'dep-cache'),
      toolchain: resolve('.tools/check-deps'),
      install: async (dir: string) => {
        installs += 1;
        await mkdir(join(dir, 'node_modules', 'left-pad'), { recursive: true });
      },
    };
    expect(await resolveDependencies(set, options)).toMatchObject({ source: 'installed' });
    expect(await resolveDependencies({ devDependencies: {}, dependencies: { 'left-pad': '1.3.0' } }, options)).toMatchObject({ source: 'cache' });
    expect(installs).toBe(1);
    expect(await resolveDependencies(generatedAppPackages, options)).toEqual({ nodeModules: resolve('.tools/check-deps/node_modules'), source: 'toolchain' });
  });

  it('keys entries by the declared set, whatever its order', () => {
    expect(dependencySetKey({ dependencies: { a: '1', b: '2' }, devDependencies: {} })).toBe(dependencySetKey({ dependencies: { b: '2', a: '1' }, devDependencies: {} }));
    expect(dependencySetKey({ dependencies: { a: '1' }, devDependencies: {} })).not.toBe(dependencySetKey({ dependencies: {}, devDependencies: { a: '1' } }));
  });
});

describe('the local provider', () => {
  it('serves a build from its own process on an ephemeral loopback port, idempotently, until stopped', async () => {
    const dist = join(root, 'dist-local');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<html><body><div id="app"></div><script type="module" src="/assets/a.js"></script></body></html>');
    await writeFile(join(dist, 'assets', 'a.js'), 'console.log(1)');
    const local = createLocalProvider({ dir: join(root, 'local-servers'), sandbox: kind, memoryMb: 128 });
    const resource = previewResourceName(randomUUID());

    const ref = await local.start({ resource, projectId: randomUUID(), artifactDir: dist });
    expect(ref.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await local.start({ resource, projectId: randomUUID(), artifactDir: dist })).toEqual(ref);
    expect(await local.status(ref)).toBe('running');
    expect(await checkAppHealth(ref.url, { rootElementId: 'app' })).toEqual({ ok: true, problems: [] });
    expect(await local.logs(ref, 5)).toContain('GET /assets/a.js 200');
    expect(await local.list()).toEqual([resource]);

    await local.stop(ref);
    expect(await local.status(ref)).toBe('missing');
    await expect(fetch(ref.url)).rejects.toThrow();
    expect(existsSync(join(root, 'local-servers', `${resource}.json`))).toBe(false);
  });
});

describe('the health check', () => {
  it('reads the root element the app mounts into and the assets a page needs', async () => {
    expect(rootElementIdOf("createRoot(document.getElementById('app-root')!).render(<App />)")).toBe('app-root');
    expect(rootElementIdOf(undefined)).toBe('root');
    expect(await hasElementWithId('<div class="x" id="root"></div>', 'root')).toBe(true);
    expect(await hasElementWithId('<div id="rooted"></div>', 'root')).toBe(false);
    const html = '<link rel="stylesheet" href="/assets/a.css"><link rel="icon" href="/favicon.ico"><script type="module" crossorigin src="/assets/a.js"></script>';
    expect(await referencedAssets(html, 'http://h:1/')).toEqual({ scripts: ['http://h:1/assets/a.js'], styles: ['http://h:1/assets/a.css'] });
  });
});
