import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildWorkspaceProbe } from '../../domain/stack-check';

/**
 * Runs on the builds queue: proves a builder is polling and can use a scratch directory, which
 * every compile check and preview build needs.
 */
export async function probeBuildWorkspace(): Promise<BuildWorkspaceProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-probe-'));
  try {
    const file = join(dir, 'probe.txt');
    await writeFile(file, 'forge');
    const scratchWritable = (await readFile(file, 'utf8')) === 'forge';
    return { nodeVersion: process.version, platform: process.platform, scratchWritable };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
