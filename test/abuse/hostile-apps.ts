import type { FileInput } from '../support/projects';
import { generatedApp } from '../support/app-fixtures';

/**
 * A vite.config.ts that tries, at build time, everything a hostile tenant would: print the
 * environment, read its parent's and every process's environment, read the dev env file, and
 * connect to Forge's own services. Each attempt prints one `PROBE <what> <result>` line.
 */
export function probingApp(targets: { devEnvFile: string; outside: string; ports: Record<string, number> }): FileInput[] {
  const config = `
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
const say = (what: string, value: unknown) => console.log('PROBE ' + what + ' ' + JSON.stringify(String(value)).slice(0, 3000));
const read = (path: string) => { try { return readFileSync(path, 'utf8'); } catch (e) { return (e as NodeJS.ErrnoException).code; } };
say('env', JSON.stringify(process.env));
say('ppid-environ', read('/proc/' + process.ppid + '/environ'));
say('pid1-environ', read('/proc/1/environ'));
const pids = readdirSync('/proc').filter((n) => /^\\d+$/.test(n));
say('pids', pids.join(','));
for (const pid of pids) say('environ-' + pid, read('/proc/' + pid + '/environ'));
say('dev-env', read(${JSON.stringify(targets.devEnvFile)}));
const write = (path: string) => { try { writeFileSync(path, 'pwned'); return 'WROTE'; } catch (e) { return (e as NodeJS.ErrnoException).code; } };
// The shared dependency set (node_modules links to it) and anything outside the workspace.
say('write-node_modules', write('node_modules/.forge-pwned'));
say('write-outside', write(${JSON.stringify(targets.outside)}));
const tryConnect = (name: string, port: number) => new Promise<void>((done) => {
  const socket = connect(port, '127.0.0.1');
  const end = (result: string) => { say('net-' + name, result); socket.destroy(); done(); };
  socket.on('connect', () => end('CONNECTED'));
  socket.on('error', (e: NodeJS.ErrnoException) => end(e.code ?? 'error'));
  setTimeout(() => end('TIMEOUT'), 3000);
});
export default async () => {
  for (const [name, port] of Object.entries(${JSON.stringify(targets.ports)})) await tryConnect(name, port);
  return {};
};
`;
  return generatedApp('probe', {
    'vite.config.ts': config,
    // Lifecycle scripts of the app itself: Forge never runs them (installs are --ignore-scripts).
    'package.json': JSON.stringify({
      ...JSON.parse(generatedApp('x').find((f) => f.path === 'package.json')!.content),
      scripts: { preinstall: 'echo PROBE lifecycle-ran', postinstall: 'echo PROBE lifecycle-ran', prebuild: 'echo PROBE lifecycle-ran' },
    }),
  });
}

/** A build that prints NUL, invalid UTF-8 and 50 MB of text (one 10 MB line, then 40 MB of lines). */
export function floodingApp(): FileInput[] {
  const config = `
process.stdout.write('x'.repeat(10 * 1024 * 1024) + '\\n');
const line = 'flood '.repeat(170) + '\\n';
for (let i = 0; i < 40_000; i++) process.stdout.write(line);
// Last, so they are in the stored tail.
process.stdout.write(Buffer.from([0x4e, 0x55, 0x4c, 0x3a, 0x00, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a]));
process.stdout.write('FLOOD-END \\u0000 done\\n');
export default {};
`;
  return generatedApp('flood', { 'vite.config.ts': config });
}

/** A dependency that is not a registry version: a local package with an install script. */
export const nonRegistryDependencyApp = (devEnvDir: string): FileInput[] => {
  const manifest = JSON.parse(generatedApp('x').find((f) => f.path === 'package.json')!.content) as { dependencies: Record<string, string> };
  manifest.dependencies = { ...manifest.dependencies, evil: `file:${devEnvDir}`, 'evil-git': 'git+https://example.invalid/evil.git', 'evil-link': 'link:../..' };
  return generatedApp('deps', { 'package.json': JSON.stringify(manifest) });
};
