import { filePathProblem } from './file-path';
import { LlmOutputError } from './llm-protocol';

/**
 * The two ways a model hands back code. New files (and fallback rewrites) come whole:
 *
 *     ```src/App.tsx
 *     ...content...
 *     ```
 *
 * Existing files change through SEARCH/REPLACE blocks, the file path on the line before:
 *
 *     src/App.tsx
 *     <<<<<<< SEARCH
 *     exact lines to find
 *     =======
 *     lines to put instead
 *     >>>>>>> REPLACE
 *
 * An edit is applied only when every SEARCH matches exactly one place (a dry run), so a stale or
 * invented edit is caught and re-asked instead of silently corrupting a file.
 */

export interface WholeFile {
  path: string;
  content: string;
}

export interface EditBlock {
  path: string;
  search: string;
  replace: string;
}

export type EditFailureReason = 'file_missing' | 'not_found' | 'ambiguous' | 'empty_search';
export interface EditFailure {
  path: string;
  search: string;
  reason: EditFailureReason;
}
export type EditResult = { ok: true; files: Record<string, string>; changed: string[] } | { ok: false; failures: EditFailure[] };

const fenceLine = /^(`{3,})\s*(.*?)\s*$/;
const searchLine = /^<{5,9} SEARCH\s*$/;
const dividerLine = /^={5,9}\s*$/;
const replaceLine = /^>{5,9} REPLACE\s*$/;

/** A fence long enough never to collide with backticks inside the content. */
export function formatWholeFile({ path, content }: WholeFile): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const body = content === '' || content.endsWith('\n') ? content : `${content}\n`;
  return `${fence}${path}\n${body}${fence}`;
}

export function formatEditBlock({ path, search, replace }: EditBlock): string {
  const lines = (text: string) => (text === '' ? '' : `${text}\n`);
  return `${path}\n<<<<<<< SEARCH\n${lines(search)}=======\n${lines(replace)}>>>>>>> REPLACE`;
}

/** Strips the decoration models put around a path line: `**src/App.tsx**`, `src/App.tsx:`. */
function asPath(line: string | undefined): string | undefined {
  const candidate = line?.trim().replace(/^[*`#\s]+|[*`:\s]+$/g, '').split(/\s+/).pop();
  if (!candidate || !/^[\w@.\-/]+$/.test(candidate) || !/[./]/.test(candidate)) return undefined;
  return filePathProblem(candidate) ? undefined : candidate;
}

const previousText = (lines: string[], index: number) => lines.slice(0, index).reverse().find((l) => l.trim() !== '' && !fenceLine.test(l));

/**
 * Whole files in a reply. `expectedPath` lets a single block tagged only with a language
 * (```tsx) stand for the file that was asked for.
 */
export function parseWholeFiles(text: string, expectedPath?: string): WholeFile[] {
  const lines = text.split('\n');
  const files: WholeFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fenceLine.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const end = lines.findIndex((l, j) => j > i && new RegExp(`^${fence}\`*\\s*$`).test(l));
    if (end < 0) throw new LlmOutputError('malformed_file', `The code block opened on line ${i + 1} is never closed`);
    const path = asPath(open[2]) ?? asPath(lines[i - 1]) ?? expectedPath;
    if (!path) throw new LlmOutputError('malformed_file', `The code block on line ${i + 1} does not name its file`);
    const body = lines.slice(i + 1, end);
    files.push({ path, content: body.length ? `${body.join('\n')}\n` : '' });
    i = end;
  }
  if (files.length === 0) throw new LlmOutputError('no_files', 'The reply contains no file');
  if (new Set(files.map((f) => f.path)).size < files.length) {
    throw new LlmOutputError('malformed_file', 'The reply gives the same file twice (or unnamed code blocks)');
  }
  return files;
}

export function parseEditBlocks(text: string): EditBlock[] {
  const lines = text.split('\n');
  const blocks: EditBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!searchLine.test(lines[i]!)) continue;
    const path = asPath(previousText(lines, i)) ?? blocks.at(-1)?.path;
    if (!path) throw new LlmOutputError('malformed_edit', `The edit block on line ${i + 1} does not name its file`);
    const divider = lines.findIndex((l, j) => j > i && dividerLine.test(l));
    const end = lines.findIndex((l, j) => j > divider && replaceLine.test(l));
    const nextSearch = lines.findIndex((l, j) => j > i && searchLine.test(l));
    if (divider < 0 || end < 0 || (nextSearch >= 0 && nextSearch < end)) {
      throw new LlmOutputError('malformed_edit', `The edit block for ${path} on line ${i + 1} is incomplete`);
    }
    blocks.push({ path, search: lines.slice(i + 1, divider).join('\n'), replace: lines.slice(divider + 1, end).join('\n') });
    i = end;
  }
  if (blocks.length === 0) throw new LlmOutputError('no_edits', 'The reply contains no SEARCH/REPLACE edit block');
  return blocks;
}

/** Start lines where `search` matches whole lines; exact first, then ignoring trailing spaces. */
function findMatches(lines: string[], search: string[]): number[] {
  for (const same of [(a: string, b: string) => a === b, (a: string, b: string) => a.trimEnd() === b.trimEnd()]) {
    const hits: number[] = [];
    for (let i = 0; i + search.length <= lines.length; i++) {
      if (search.every((s, k) => same(lines[i + k]!, s))) hits.push(i);
    }
    if (hits.length) return hits;
  }
  return [];
}

/** Applies every block or none: a pure dry run that callers save only when `ok`. */
export function applyEditBlocks(files: Readonly<Record<string, string>>, blocks: readonly EditBlock[]): EditResult {
  const next: Record<string, string> = { ...files };
  const failures: EditFailure[] = [];
  const changed = new Set<string>();
  for (const block of blocks) {
    const fail = (reason: EditFailureReason) => failures.push({ path: block.path, search: block.search, reason });
    const current = next[block.path];
    const replace = block.replace === '' ? [] : block.replace.split('\n');
    if (block.search === '') {
      // An empty SEARCH only makes sense for a file that does not exist yet (or is empty).
      if (current) {
        fail('empty_search');
      } else {
        next[block.path] = replace.length ? `${replace.join('\n')}\n` : '';
        changed.add(block.path);
      }
      continue;
    }
    if (current === undefined) {
      fail('file_missing');
      continue;
    }
    const lines = current.split('\n');
    const search = block.search.split('\n');
    const hits = findMatches(lines, search);
    if (hits.length !== 1) {
      fail(hits.length ? 'ambiguous' : 'not_found');
      continue;
    }
    lines.splice(hits[0]!, search.length, ...replace);
    next[block.path] = lines.join('\n');
    changed.add(block.path);
  }
  return failures.length ? { ok: false, failures } : { ok: true, files: next, changed: [...changed] };
}
