import { z } from 'zod';

/** Longest accepted project file path, in characters. */
export const MAX_PATH_LENGTH = 300;

/**
 * Why `path` cannot name a project file, or undefined when it can. Paths are relative POSIX paths
 * in normal form: one spelling per file, and none can climb out of the project root when a
 * version is written to disk (compile checks, previews, git exports).
 */
export function filePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'contains a NUL character';
  if (/[\x01-\x1f\x7f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  const segments = path.split('/');
  if (segments.includes('..')) return 'contains a ".." segment';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'has an empty or "." segment';
  return undefined;
}

/** The path as shown in error messages: quoted and escaped, cut short so a huge path cannot bloat the answer. */
export function describePath(path: string): string {
  return JSON.stringify(path.length > 1_000 ? `${path.slice(0, 1_000)}…` : path);
}

/**
 * filePathProblem's rules as one JSON Schema pattern, for the OpenAPI document: not absolute, no
 * empty, "." or ".." segment, no control character or backslash (test/unit/file-path.test.ts
 * checks that both agree).
 */
export const FILE_PATH_PATTERN = String.raw`^(?!/)(?!.*//)(?!.*/$)(?!(?:.*/)?\.{1,2}(?:/|$))[^\x00-\x1f\x7f\\]+$`;

/** A project file path; the error message names the offending path. */
export const FilePath = z
  .string()
  .superRefine((path, ctx) => {
    const problem = filePathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: `Path ${describePath(path)} ${problem}` });
  })
  .meta({ minLength: 1, maxLength: MAX_PATH_LENGTH, pattern: FILE_PATH_PATTERN });
