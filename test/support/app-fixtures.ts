import { generatedAppPackages } from '../../domain/llm-protocol';
import type { FileInput } from './projects';

/**
 * Generated apps for preview and deployment tests: the shape codegen produces (the standard
 * dependency set, index.html with #root and /src/main.tsx), with a marker the test looks for in
 * the served bundle, plus the broken variants the tests need.
 */
export function generatedApp(marker: string, overrides: Record<string, string | null> = {}): FileInput[] {
  const files: Record<string, string | null> = {
    'package.json': JSON.stringify({ name: 'app', private: true, type: 'module', scripts: { build: 'vite build' }, ...generatedAppPackages }, null, 2),
    'index.html': '<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>App</title></head>\n  <body>\n    <div id="root"></div>\n    <script type="module" src="/src/main.tsx"></script>\n  </body>\n</html>\n',
    'tsconfig.json': JSON.stringify({ compilerOptions: { jsx: 'react-jsx', strict: true, module: 'ESNext', moduleResolution: 'bundler', target: 'ES2022' }, include: ['src'] }),
    'src/main.tsx': "import { createRoot } from 'react-dom/client';\nimport './index.css';\nimport { App } from './App';\n\ncreateRoot(document.getElementById('root')!).render(<App />);\n",
    'src/index.css': 'body { font-family: sans-serif; }\n',
    'src/App.tsx': `export function App() {\n  return <h1>${marker}</h1>;\n}\n`,
    ...overrides,
  };
  return Object.entries(files).flatMap(([path, content]) => (content === null ? [] : [{ path, content }]));
}

/** Does not build: App.tsx imports a module that does not exist. */
export const unbuildableApp = (marker: string) =>
  generatedApp(marker, { 'src/App.tsx': "import { Missing } from './missing-module';\nexport function App() {\n  return <Missing />;\n}\n" });

/** Builds fine but serves a blank page: index.html lost the element the app mounts into. */
export const blankPageApp = (marker: string) =>
  generatedApp(marker, { 'index.html': '<!doctype html>\n<html><head><title>App</title></head><body><script type="module" src="/src/main.tsx"></script></body></html>\n' });

/** Prints its whole build environment into the build log (a vite config runs in the build). */
export const envPrintingApp = (marker: string) =>
  generatedApp(marker, { 'vite.config.ts': "console.log('BUILD-ENV ' + JSON.stringify(process.env));\nexport default {};\n" });

/** Builds slowly (a vite config that spins for `seconds` of CPU first): time to kill a worker mid-build. */
export const slowBuildingApp = (marker: string, seconds: number) =>
  generatedApp(marker, { 'vite.config.ts': `const until = Date.now() + ${seconds * 1000};\nwhile (Date.now() < until) {}\nexport default {};\n` });
