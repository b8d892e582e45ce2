import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A built app (`dist/`) as vite leaves it, for provider tests that skip the build. */
export async function distFixture(marker: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), `<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>`);
  await writeFile(join(dir, 'assets', 'app.js'), `document.getElementById('root').textContent = ${JSON.stringify(marker)};`);
  return dir;
}
