import { posix } from 'node:path';
import type { TypeCheckDiagnostic } from '../../domain/type-check';

/** tsconfig.json is JSON with comments and trailing commas: drop both (outside strings), then JSON.parse. */
function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const match = end.exec(text);
      if (!match) return undefined;
      out += match[0];
      i += match[0].length - 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i === -1) return undefined;
      i++;
    } else out += c;
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
  } catch {
    return undefined;
  }
}

/** Absolute, home-relative, a URL, or climbing out of the app root once normalized. */
function leavesWorkspace(value: string): boolean {
  if (/^([/\\~]|[a-z][\w+.-]*:)/i.test(value)) return true;
  return posix.normalize(value.replace(/\\/g, '/')).split('/')[0] === '..';
}

function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`);
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) yield* strings(item, at ? `${at}.${key}` : key);
}

/**
 * A tenant's tsconfig may not make tsc read outside the app (`extends`, `include`, `files`,
 * `typeRoots`, `paths` naming /proc/self/environ or the dev env file): every string in it is a
 * potential path, so none may be absolute or climb out. The sandbox would hide such files anyway;
 * this refuses them by name, as diagnostics (code 0: Forge's own check, not a TS error number).
 * One that cannot be read is refused too, rather than left to a parser more lenient than this one.
 */
export function tsconfigProblems(text: string | undefined): TypeCheckDiagnostic[] {
  if (text === undefined) return [];
  const parsed = parseJsonc(text);
  if (parsed === undefined) return [{ file: 'tsconfig.json', line: 0, column: 0, code: 0, message: 'tsconfig.json is not valid JSON (comments and trailing commas allowed)' }];
  return [...strings(parsed, '')]
    .filter(([, value]) => leavesWorkspace(value))
    .map(([at]) => ({ file: 'tsconfig.json', line: 0, column: 0, code: 0, message: `${at} names a path outside the app: only files inside the project can be referenced` }));
}
