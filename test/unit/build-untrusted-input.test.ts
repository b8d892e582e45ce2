import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../activities/builds/line-reader';
import { LogTail } from '../../activities/builds/log-tail';
import { storableText } from '../../activities/builds/log-text';
import { assertRegistrySpecs } from '../../activities/builds/dependency-specs';
import { InvalidManifestError } from '../../activities/builds/dependency-cache';
import { tsconfigProblems } from '../../activities/codegen/tsconfig-guard';

// What a tenant controls and Forge must survive: its tools' output, its package.json, its tsconfig.

async function linesOf(chunks: Buffer[], maxLine?: number): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  readLines(stream, (line) => lines.push(line), maxLine);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return lines;
}

describe('build output', () => {
  it('becomes text PostgreSQL stores: NUL, controls and lone surrogates replaced, invalid UTF-8 decoded as U+FFFD', async () => {
    expect(storableText('a\u0000b\u0007c\td\ud800e')).toBe('a\ufffdb\ufffdc\td\ufffde');
    expect(storableText('emoji 😀 stays')).toBe('emoji 😀 stays');
    const lines = await linesOf([Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x0a]), Buffer.from('é split: '), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a])]);
    expect(lines).toEqual(['ok\ufffd\ufffd', 'é split: é']);
  });

  it('holds at most one capped line of a 50 MB line without a newline', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const lines = await linesOf([...Array.from({ length: 50 }, () => chunk), Buffer.from('\nafter\n')], 8_192);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(8_300);
    expect(lines[0]).toMatch(/\[\d+ more characters dropped\]$/);
    expect(lines[1]).toBe('after');
  });

  it('keeps a tail bounded in lines and characters, saying how much was dropped', () => {
    const tail = new LogTail(3, 10);
    for (let i = 0; i < 10; i++) tail.push(`line ${i} ${'y'.repeat(20)}\u0000`);
    const kept = tail.get();
    expect(kept).toHaveLength(3);
    expect(kept[0]).toBe('… 7 earlier lines not kept');
    expect(kept.join('')).not.toContain('\u0000');
    expect(kept[2]).toMatch(/^line 9 yyy… \[\d+ more characters\]$/);
  });
});

describe('dependency specs', () => {
  it('accepts registry versions, tags and npm aliases', () => {
    expect(() => assertRegistrySpecs({ dependencies: { react: '^19.1.0', a: '1.x || >=2.0.0 <3', b: 'latest', c: 'npm:react@^18', d: '*' }, devDependencies: { vite: '7.1.2' } })).not.toThrow();
  });

  it('refuses git, URL, file, link and workspace specs, listing every one', () => {
    const refused = {
      g: 'git+https://example.invalid/x.git',
      h: 'github:user/repo',
      s: 'user/repo',
      u: 'https://example.invalid/x.tgz',
      f: 'file:../../.data',
      l: 'link:/etc',
      w: 'workspace:*',
      p: '../outside',
    };
    const error = (() => {
      try {
        assertRegistrySpecs({ dependencies: { react: '^19.1.0', ...refused }, devDependencies: { x: 'npm:y@file:/z' } });
      } catch (err) {
        return err as Error;
      }
      throw new Error('not refused');
    })();
    expect(error).toBeInstanceOf(InvalidManifestError);
    for (const name of [...Object.keys(refused), 'x']) expect(error.message).toContain(`${name}@`);
    expect(error.message).not.toContain('react@');
  });
});

describe('a tenant tsconfig', () => {
  it('may not name files outside the app, in any option, comments or not', () => {
    expect(tsconfigProblems(JSON.stringify({ extends: './base.json', compilerOptions: { paths: { '@/*': ['./src/*'] }, strict: true }, include: ['src'] }))).toEqual([]);
    const hostile = `{
      // reads the dev secrets
      "extends": "/work/forge/.data/dev.env",
      "include": ["src", "../../.data/dev.env",],
      "files": ["/proc/self/environ"],
      "compilerOptions": { "typeRoots": ["~/.npm"], "baseUrl": "file:///etc" },
    }`;
    expect(tsconfigProblems(hostile).map((d) => d.message.split(' ')[0])).toEqual(['extends', 'include[1]', 'files[0]', 'compilerOptions.typeRoots[0]', 'compilerOptions.baseUrl']);
    expect(tsconfigProblems('{ not json')).toEqual([expect.objectContaining({ file: 'tsconfig.json', message: expect.stringContaining('not valid JSON') })]);
  });
});
