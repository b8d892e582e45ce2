import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCheckDepsDir } from '../../activities/codegen/check-toolchain';
import { ProcessTimeoutError } from '../../activities/codegen/run-process';
import { typeCheck } from '../../activities/codegen/type-check';
import { TypeCheckResult } from '../../domain/type-check';

// A small app in the shape the codegen prompts ask for: Vite + React 19 + strict TypeScript.
const app: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'demo', private: true, type: 'module', dependencies: { react: '^19.1.0', 'react-dom': '^19.1.0' } }),
  'index.html': '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n',
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true, skipLibCheck: true, types: ['vite/client'] },
    include: ['src'],
  }),
  'src/main.tsx': [
    "import { StrictMode } from 'react';",
    "import { createRoot } from 'react-dom/client';",
    "import { App } from './App';",
    "import './index.css';",
    "createRoot(document.getElementById('root')!).render(<StrictMode><App title={import.meta.env.MODE} /></StrictMode>);",
    '',
  ].join('\n'),
  'src/App.tsx': [
    "import { useState } from 'react';",
    "import { Counter } from './components/Counter';",
    'export function App({ title }: { title: string }) {',
    '  const [count, setCount] = useState(0);',
    '  return <main><h1>{title}</h1><Counter value={count} onIncrement={() => setCount((c) => c + 1)} /></main>;',
    '}',
    '',
  ].join('\n'),
  'src/components/Counter.tsx': [
    'interface CounterProps { value: number; onIncrement: () => void }',
    'export function Counter({ value, onIncrement }: CounterProps) {',
    '  return <button type="button" onClick={onIncrement}>Clicked {value} times</button>;',
    '}',
    '',
  ].join('\n'),
  'src/index.css': 'body { font-family: sans-serif; }\n',
};

beforeAll(async () => {
  // The same idempotent step `npm test` runs first; near-instant when the cache is already there.
  await promisify(execFile)('sh', [join(import.meta.dirname, '../../scripts/provision-check-deps.sh')]);
});

describe('typeCheck', () => {
  it('passes a correct React + TypeScript app, fast once warm', async () => {
    const cold = await typeCheck(app);
    expect(TypeCheckResult.parse(cold)).toEqual({ ok: true, diagnostics: [], durationMs: cold.durationMs });
    const warm = await typeCheck(app);
    expect(warm.ok).toBe(true);
    // Checks run on every generate/fix round: a warm one must stay far below the activity timeout.
    expect(warm.durationMs).toBeLessThan(10_000);
    console.info(`type-check of a ${Object.keys(app).length}-file app: cold ${cold.durationMs} ms, warm ${warm.durationMs} ms`);
  });

  it('reports the diagnostics of a broken app with file, line, column and code', async () => {
    const broken: Record<string, string> = {
      ...app,
      'src/App.tsx': app['src/App.tsx']!.replace('useState(0)', "useState('zero')"),
      'src/components/Counter.tsx': app['src/components/Counter.tsx']!.replace('Clicked {value}', 'Clicked {value.toFixed(1).shout()}'),
    };
    const columnOf = (path: string, line: number, text: string) => broken[path]!.split('\n')[line - 1]!.indexOf(text) + 1;
    const result = await typeCheck(broken);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toEqual([
      { file: 'src/App.tsx', line: 5, column: columnOf('src/App.tsx', 5, 'value={count}'), code: 2322, message: "Type 'string' is not assignable to type 'number'." },
      { file: 'src/components/Counter.tsx', line: 3, column: columnOf('src/components/Counter.tsx', 3, 'shout'), code: 2339, message: "Property 'shout' does not exist on type 'string'." },
    ]);
  });

  it('uses the template tsconfig when the app has none', async () => {
    const { 'tsconfig.json': _, ...withoutTsconfig } = app;
    expect((await typeCheck(withoutTsconfig)).ok).toBe(true);
    // The default is strict: an implicit any is an error.
    const sloppy = { ...withoutTsconfig, 'src/util.ts': 'export const twice = (x) => x * 2;\n' };
    expect((await typeCheck(sloppy)).diagnostics).toEqual([expect.objectContaining({ file: 'src/util.ts', code: 7006 })]);
  });

  it('refuses paths outside the app or inside node_modules before writing anything', async () => {
    for (const path of ['../escape.ts', '/etc/x.ts', 'src/../../x.ts', 'node_modules/react/index.js', './src/a.ts']) {
      await expect(typeCheck({ ...app, [path]: 'export {};\n' })).rejects.toMatchObject({ type: 'invalid_input', nonRetryable: true });
    }
    await expect(typeCheck({ ...app, src: 'not a folder' })).rejects.toMatchObject({ type: 'invalid_input' });
  });

  it('stops at the time limit or on abort, and always removes its workspace', async () => {
    // A root of its own: other suites type-check in the shared temp dir at the same time.
    const workspaceRoot = await mkdtemp(join(tmpdir(), 'forge-check-test-'));
    await expect(typeCheck(app, { timeoutMs: 1, workspaceRoot })).rejects.toBeInstanceOf(ProcessTimeoutError);
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    setTimeout(() => controller.abort(reason), 5);
    await expect(typeCheck(app, { signal: controller.signal, workspaceRoot })).rejects.toBe(reason);
    expect(await readdir(workspaceRoot)).toEqual([]);
    await rm(workspaceRoot, { recursive: true });
    // The workspace's node_modules was a link: removing it left the shared cache intact.
    expect(existsSync(join(defaultCheckDepsDir, 'node_modules', 'react', 'package.json'))).toBe(true);
  });

  it('says how to install the toolchain when it is missing', async () => {
    await expect(typeCheck(app, { depsDir: join(tmpdir(), 'no-such-check-deps') })).rejects.toThrow(/provision-check-deps/);
  });
});
