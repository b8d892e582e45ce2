import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Where scripts/provision-check-deps.sh installs the generated-app toolchain, once per machine. */
export const defaultCheckDepsDir = fileURLToPath(new URL('../../.tools/check-deps', import.meta.url));

/**
 * TypeScript 7's compiler is a native executable shipped in a per-platform optional dependency;
 * `node_modules/.bin/tsc` is only a Node launcher for it. Running the executable directly saves
 * a Node start per check and keeps the child's environment down to what we pass.
 */
export function nativeTscPath(depsDir: string = defaultCheckDepsDir): string {
  const exe = join(depsDir, 'node_modules', '@typescript', `typescript-${process.platform}-${process.arch}`, 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
  if (!existsSync(exe)) {
    throw new Error(`The type-check toolchain is not installed (${exe} is missing): run scripts/provision-check-deps.sh`);
  }
  return exe;
}
