import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface TarEntry {
  name: string;
  content: Buffer;
}

const BLOCK = 512;

function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  // ustar splits long paths into prefix (155) + name (100) at a slash.
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`Path too long for a tar archive: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100);
  block.write('0000644\0', 100); // mode
  block.write('0000000\0', 108); // uid
  block.write('0000000\0', 116); // gid
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136); // mtime: fixed, so equal trees give equal archives (and image layers)
  block.write('        ', 148); // checksum placeholder: spaces while summing
  block.write('0', 156); // regular file
  block.write('ustar\x0000', 257);
  block.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** A POSIX ustar archive of regular files: the build context the Docker Engine API takes. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry.name, entry.content.length), entry.content);
    const pad = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Every file under `dir`, named `<prefix>/<relative path>`, sorted for a reproducible archive. */
export async function directoryEntries(dir: string, prefix: string): Promise<TarEntry[]> {
  const files = (await readdir(dir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile());
  const names = files.map((e) => relative(dir, join(e.parentPath, e.name))).sort();
  return Promise.all(names.map(async (name) => ({ name: `${prefix}/${name}`, content: await readFile(join(dir, name)) })));
}
