import { diffArrays } from 'diff';
import type { EditBlock } from '../../domain/llm-edit-format';

/**
 * Turns "file before" and "file after" into SEARCH/REPLACE blocks, the way a careful model would
 * write them: one block per changed region, each SEARCH widened with context until it matches
 * exactly one place, so `applyEditBlocks` accepts the reply.
 */

interface Hunk {
  start: number;
  end: number;
  added: string[];
}

function changedRegions(before: string[], after: string[]): Hunk[] {
  const hunks: Hunk[] = [];
  let line = 0;
  let open: Hunk | undefined;
  for (const part of diffArrays(before, after)) {
    if (!part.added && !part.removed) {
      line += part.count;
      open = undefined;
      continue;
    }
    if (!open) hunks.push((open = { start: line, end: line, added: [] }));
    if (part.removed) open.end = line += part.count;
    else open.added.push(...part.value);
  }
  return hunks;
}

const occurrences = (lines: string[], search: string[]) =>
  lines.filter((_, i) => i + search.length <= lines.length && search.every((s, k) => lines[i + k] === s)).length;

export function toEditBlocks(path: string, before: string, after: string): EditBlock[] {
  const lines = before.split('\n');
  const widened: { from: number; to: number; hunks: Hunk[] }[] = [];
  for (const hunk of changedRegions(lines, after.split('\n'))) {
    let from = Math.max(0, hunk.start - 1);
    let to = Math.min(lines.length, hunk.end + 1);
    while ((to === from || occurrences(lines, lines.slice(from, to)) > 1) && (from > 0 || to < lines.length)) {
      from = Math.max(0, from - 1);
      to = Math.min(lines.length, to + 1);
    }
    // Blocks apply one after another: regions that now touch become one block.
    const last = widened.at(-1);
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.hunks.push(hunk);
    } else {
      widened.push({ from, to, hunks: [hunk] });
    }
  }
  return widened.map(({ from, to, hunks }) => {
    const replace: string[] = [];
    let cursor = from;
    for (const hunk of hunks) {
      replace.push(...lines.slice(cursor, hunk.start), ...hunk.added);
      cursor = hunk.end;
    }
    replace.push(...lines.slice(cursor, to));
    return { path, search: lines.slice(from, to).join('\n'), replace: replace.join('\n') };
  });
}
