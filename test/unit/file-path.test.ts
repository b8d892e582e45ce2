import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FILE_PATH_PATTERN, FilePath, filePathProblem, MAX_PATH_LENGTH } from '../../domain/file-path';

describe('filePathProblem', () => {
  it.each(['index.html', 'src/App.tsx', '.env.example', 'a/.hidden/b', 'docs/new file (1).md', 'jquery..min.js', 'ünïcode/файл.ts', 'x'.repeat(MAX_PATH_LENGTH)])(
    'accepts %j',
    (path) => expect(filePathProblem(path)).toBeUndefined(),
  );

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'is absolute'],
    ['..', 'contains a ".." segment'],
    ['../a', 'contains a ".." segment'],
    ['a/../../b', 'contains a ".." segment'],
    ['a/..', 'contains a ".." segment'],
    ['a\0b', 'contains a NUL character'],
    ['a\nb', 'contains a control character'],
    ['a\\b', 'contains a backslash'],
    ['..\\evil', 'contains a backslash'],
    ['x'.repeat(MAX_PATH_LENGTH + 1), 'is longer than 300 characters'],
    ['a//b', 'has an empty or "." segment'],
    ['a/', 'has an empty or "." segment'],
    ['./a', 'has an empty or "." segment'],
  ])('refuses %j: %s', (path, problem) => expect(filePathProblem(path)).toBe(problem));
});

describe('FilePath', () => {
  it('names the offending path in the issue message', () => {
    const result = FilePath.safeParse('../secrets');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Path "../secrets" contains a ".." segment');
  });

  it('shows a NUL escaped and cuts a huge path short', () => {
    expect(FilePath.safeParse('a\0').error?.issues[0]?.message).toBe('Path "a\\u0000" contains a NUL character');
    const message = FilePath.safeParse('y'.repeat(100_000)).error?.issues[0]?.message ?? '';
    expect(message.length).toBeLessThan(1_100);
    expect(message).toContain('…" is longer than 300 characters');
  });
});

describe('FILE_PATH_PATTERN (the OpenAPI document\'s reading of the rules)', () => {
  it('agrees with filePathProblem on every path, so the document neither refuses nor admits more', () => {
    const pattern = new RegExp(FILE_PATH_PATTERN, 'u');
    const piece = fc.constantFrom('a', 'b', '.', '..', '/', '\\', '\0', '\n', '\x7f', ' ', 'é', '😀');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')), (path) => {
        expect(pattern.test(path), JSON.stringify(path)).toBe(filePathProblem(path) === undefined);
      }),
      { numRuns: 2_000 },
    );
  });
});
