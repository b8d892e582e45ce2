import { formatPatch, structuredPatch } from 'diff';
import type { DiffStats, FileChange, FileChangeStatus, FileEntry } from '../../domain/versions';

/** A path whose content differs between two versions, with the blob hash on each side. */
export interface ChangedPath {
  path: string;
  status: FileChangeStatus;
  oldHash: string | null;
  newHash: string | null;
}

/** Paths added, removed or changed (by content hash) from `before` to `after`, sorted by path. */
export function changedPaths(before: readonly FileEntry[], after: readonly FileEntry[]): ChangedPath[] {
  const old = new Map(before.map((file) => [file.path, file.hash]));
  const now = new Map(after.map((file) => [file.path, file.hash]));
  const changes: ChangedPath[] = [];
  for (const [path, oldHash] of old) {
    const newHash = now.get(path);
    if (newHash === undefined) changes.push({ path, status: 'removed', oldHash, newHash: null });
    else if (newHash !== oldHash) changes.push({ path, status: 'modified', oldHash, newHash });
  }
  for (const [path, newHash] of now) {
    if (!old.has(path)) changes.push({ path, status: 'added', oldHash: null, newHash });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Time allowed for minimal diffs in one request. Myers diff is quadratic on a rewritten file
 * (seconds for 5,000 changed lines) and runs on the event loop; past this budget a modified
 * file gets a whole-file replacement patch: still a valid unified diff, built in linear time.
 */
export const DIFF_BUDGET_MS = 1_000;

const headers = { includeIndex: false, includeUnderline: false, includeFileHeaders: true };

type RenderedPatch = Pick<FileChange, 'patch' | 'additions' | 'deletions'>;

function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return text === '' || text.endsWith('\n') ? count : count + 1;
}

/** Every line of `text` prefixed with `sign`, with the unified-diff marker for a missing final newline. */
function wholeSide(text: string, sign: '-' | '+'): string {
  if (text === '') return '';
  const complete = text.endsWith('\n');
  const body = complete ? text.slice(0, -1) : text;
  return `${sign}${body.replaceAll('\n', `\n${sign}`)}\n${complete ? '' : '\\ No newline at end of file\n'}`;
}

/**
 * One hunk that deletes every old line and adds every new one, built with string operations: even
 * jsdiff's diff against '' takes a second on a 1 MiB file of short lines. An empty side is
 * written `-0,0` / `+0,0`, as jsdiff writes it.
 */
function replacementPatch(oldName: string, newName: string, oldText: string, newText: string): RenderedPatch {
  const deletions = lineCount(oldText);
  const additions = lineCount(newText);
  const fileHeaders = formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks: [] }, headers);
  const hunkHeader = `@@ -${deletions === 0 ? 0 : 1},${deletions} +${additions === 0 ? 0 : 1},${additions} @@\n`;
  return { patch: fileHeaders + hunkHeader + wholeSide(oldText, '-') + wholeSide(newText, '+'), additions, deletions };
}

/** The minimal patch, or undefined when it cannot be found within `timeout` ms. */
function minimalPatch(oldName: string, newName: string, oldText: string, newText: string, timeout: number): RenderedPatch | undefined {
  const patch = structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { timeout });
  if (!patch) return undefined;
  const lines = patch.hunks.flatMap((hunk) => hunk.lines);
  return {
    patch: formatPatch(patch, headers),
    additions: lines.filter((line) => line.startsWith('+')).length,
    deletions: lines.filter((line) => line.startsWith('-')).length,
  };
}

/**
 * Unified patches (`--- a/path`, `+++ b/path`, /dev/null for an absent side) for `changes`,
 * reading contents by hash from `contents`, with the totals of the diff.
 */
export function renderDiff(changes: readonly ChangedPath[], contents: ReadonlyMap<string, string>, budgetMs = DIFF_BUDGET_MS): { files: FileChange[]; stats: DiffStats } {
  const deadline = Date.now() + budgetMs;
  const stats: DiffStats = { added: 0, removed: 0, modified: 0, additions: 0, deletions: 0 };
  const files = changes.map(({ path, status, oldHash, newHash }): FileChange => {
    const oldText = oldHash === null ? '' : contents.get(oldHash) ?? '';
    const newText = newHash === null ? '' : contents.get(newHash) ?? '';
    const oldName = oldHash === null ? '/dev/null' : `a/${path}`;
    const newName = newHash === null ? '/dev/null' : `b/${path}`;
    const remaining = deadline - Date.now();
    const rendered = (status === 'modified' && remaining > 0 ? minimalPatch(oldName, newName, oldText, newText, remaining) : undefined)
      ?? replacementPatch(oldName, newName, oldText, newText);
    stats[status] += 1;
    stats.additions += rendered.additions;
    stats.deletions += rendered.deletions;
    return { path, status, ...rendered };
  });
  return { files, stats };
}
