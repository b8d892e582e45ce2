import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode } from '../../domain/errors';
import { describePath, filePathProblem } from '../../domain/file-path';

/** Used when a generated app has no tsconfig.json: the settings the app template prescribes. */
export const defaultAppTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    module: 'ESNext',
    moduleResolution: 'bundler',
    jsx: 'react-jsx',
    strict: true,
    noEmit: true,
    isolatedModules: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: ['vite/client'],
  },
  include: ['src'],
};

/**
 * Besides being a project file path (relative, normal form, never climbing out), nothing may be
 * written under node_modules: it links to the shared dependency cache, so a write there would
 * change it for every later job.
 */
function pathProblem(path: string): string | undefined {
  return filePathProblem(path) ?? (path.split('/')[0] === 'node_modules' ? 'is inside node_modules' : undefined);
}

/** `src/a/b.ts` -> `src`, `src/a`. */
function parentFolders(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function assertWritable(paths: string[]): void {
  const problems = paths.flatMap((path) => {
    const problem = pathProblem(path);
    return problem ? [`${describePath(path)} ${problem}`] : [];
  });
  const folders = new Set(paths.flatMap(parentFolders));
  for (const path of paths) if (folders.has(path)) problems.push(`${describePath(path)} is both a file and a folder`);
  // Bad paths come from model output or a request: the same input fails the same way on a retry.
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Cannot check these files: ${problems.join('; ')}`, ErrorCode.invalidInput);
}

export interface CheckWorkspace {
  dir: string;
  dispose(): Promise<void>;
}

/**
 * A fresh temp directory holding the app's files, with node_modules linked to the provisioned
 * dependency cache: a check never installs anything, and concurrent checks share one cache.
 */
export async function createCheckWorkspace(files: Readonly<Record<string, string>>, depsDir: string, root = tmpdir()): Promise<CheckWorkspace> {
  const paths = Object.keys(files);
  assertWritable(paths);
  const dir = await mkdtemp(join(root, 'forge-check-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    for (const path of paths) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), files[path]!);
    }
    if (!paths.includes('tsconfig.json')) await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(defaultAppTsconfig, null, 2));
    await symlink(join(depsDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
