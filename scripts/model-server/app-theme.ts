/**
 * What the offline model reads from a plain request: which kind of app, its title and a few topic
 * words. Deterministic, so every stage (planner, each coder call) derives the same app on its own.
 */

export type ThemeKind = 'todo' | 'counter' | 'page';

export interface AppTheme {
  kind: ThemeKind;
  title: string;
  /** Lowercase words of the request worth showing on a generic page. */
  topics: string[];
  request: string;
}

const stopWords = new Set(
  ('a an the and or of for to in on with about my our your me us i we you it this that some please ' +
    'build create make generate write give want need would like could can app application website site web page simple ' +
    'small little new react typescript vite called named titled which where shows show lets let')
    .split(' '),
);

const titleCase = (words: string[]) => words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

export const contentWords = (text: string) =>
  (text.toLowerCase().match(/[a-z][a-z0-9'-]*/g) ?? []).filter((w) => !stopWords.has(w) && w.length > 1);

/** `... called "Sweet Crumbs"` names the app outright. */
const namedTitle = (request: string) => /\b(?:called|named|titled)\s+["'“]?([^"'”.,!?\n]+)/i.exec(request)?.[1]?.trim();

export function themeOf(request: string): AppTheme {
  const words = contentWords(request);
  const topics = [...new Set(words)].slice(0, 3);
  const named = namedTitle(request);
  if (/\b(todos?|to-dos?|tasks?|checklist)\b/i.test(request)) return { kind: 'todo', title: named ?? 'Todo list', topics, request };
  if (/\b(counter|count|clicker|tally)\b/i.test(request)) return { kind: 'counter', title: named ?? 'Counter', topics, request };
  const subject = /\b(?:for|about)\s+(.+)$/i.exec(request)?.[1];
  const titleWords = subject ? contentWords(subject) : words;
  return { kind: 'page', title: named ?? (titleCase(titleWords.slice(0, 4)) || 'My App'), topics, request };
}

/** The npm package name of the app: lowercase, dashes, never empty. */
export const slugOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'forge-app';

/** "a todo list app", "a page titled "Rome"": how router and planner name the app in words. */
export function describeTheme(theme: AppTheme): string {
  if (theme.kind === 'todo') return `a todo list app${theme.title === 'Todo list' ? '' : ` titled "${theme.title}"`}`;
  if (theme.kind === 'counter') return `a counter app${theme.title === 'Counter' ? '' : ` titled "${theme.title}"`}`;
  return `a page titled "${theme.title}"`;
}
