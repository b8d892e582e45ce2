import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

export interface SourceFile {
  path: string;
  content: string;
}

/**
 * Writes a version's files into `dir`, emptied first: every build attempt starts from exactly the
 * version, never from what an earlier attempt left. Paths were validated when the version was
 * saved (domain/file-path.ts); the containment check here is the second lock on the door.
 */
export async function materializeFiles(dir: string, files: readonly SourceFile[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    const target = resolve(dir, file.path);
    if (!target.startsWith(dir + sep)) throw new Error(`Refusing to write ${JSON.stringify(file.path)} outside the workspace`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}
