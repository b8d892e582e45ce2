import { escapeHtml } from './app-templates';

/**
 * The simple edits the offline model understands, read from the request, and how each one changes
 * a file. Transforms work on any reasonable React app, not only on the model's own templates.
 */

export type EditInstruction = { kind: 'title'; text: string } | { kind: 'button'; label: string } | { kind: 'background'; color: string };

/** A captured value ends at the end of the sentence or where the next instruction starts. */
const end = String.raw`["'”]?(?=\s+(?:and|then)\s+(?:add|make|change|set|rename|turn)\b|[.,;!]?\s*$)`;
const titleRule = new RegExp(String.raw`\b(?:change|set|rename|make|update)\s+(?:the\s+)?(?:app\s+|page\s+)?(?:title|heading|name)\s+(?:to|into|as)\s+["'“]?(.+?)${end}`, 'i');
const buttonRule = new RegExp(String.raw`\badd\s+(?:a\s+|an\s+|one\s+)?(?:new\s+)?button\s+(?:labell?ed|called|named|saying|that says|with (?:the )?(?:text|label))\s+["'“]?(.+?)${end}`, 'i');
const backgroundRule = /\b(?:make|change|set|turn|paint)\s+(?:the\s+)?(?:page\s+)?background(?:\s+colou?r)?\s+(?:to\s+|into\s+)?((?:light|dark)\s+[a-z]+|#[0-9a-f]{3,8}\b|[a-z]+)/i;

const colors = new Set(
  ('red orange yellow green blue purple pink brown black white gray grey navy teal cyan magenta lime olive maroon silver ' +
    'gold indigo violet beige coral salmon turquoise lavender crimson khaki tomato aqua fuchsia orchid plum tan wheat ivory ' +
    'skyblue lightblue darkblue lightgreen darkgreen lightgray lightgrey darkgray darkgrey lightpink lightyellow whitesmoke')
    .split(' '),
);

export function readEditInstructions(request: string): EditInstruction[] {
  const found: EditInstruction[] = [];
  const title = titleRule.exec(request)?.[1]?.trim();
  if (title) found.push({ kind: 'title', text: title });
  const label = buttonRule.exec(request)?.[1]?.trim();
  if (label) found.push({ kind: 'button', label });
  const color = backgroundRule.exec(request)?.[1]?.toLowerCase().replace(/\s+/g, '');
  if (color && (color.startsWith('#') || colors.has(color))) found.push({ kind: 'background', color });
  return found;
}

/** The files an edit touches, given the app's current paths. */
export function editTargets(instructions: EditInstruction[], paths: string[]): { path: string; action: 'create' | 'update'; why: string }[] {
  const targets = new Map<string, { action: 'create' | 'update'; why: string[] }>();
  const touch = (path: string, why: string) => {
    const action = paths.includes(path) ? 'update' : 'create';
    targets.set(path, { action, why: [...(targets.get(path)?.why ?? []), why] });
  };
  for (const i of instructions) {
    if (i.kind === 'title') {
      touch('src/App.tsx', `Show the title "${i.text}"`);
      if (paths.includes('index.html')) touch('index.html', 'Use the new title for the browser tab');
    }
    if (i.kind === 'button') touch('src/App.tsx', `Add a button labelled "${i.label}"`);
    if (i.kind === 'background') {
      touch('src/index.css', `Make the page background ${i.color}`);
      if (!paths.includes('src/index.css')) touch('src/main.tsx', 'Load the new stylesheet');
    }
  }
  return [...targets].map(([path, t]) => ({ path, action: t.action, why: t.why.join('; ') }));
}

const js = (value: string) => JSON.stringify(value);

function retitleComponent(content: string, text: string): string {
  const constant = /^(\s*const title(?::\s*string)?\s*=\s*).*;[ \t]*$/m;
  if (constant.test(content)) return content.replace(constant, (_, head: string) => `${head}${js(text)};`);
  return content.replace(/(<h1[^>]*>)[\s\S]*?(<\/h1>)/, (_, open: string, close: string) => `${open}{${js(text)}}${close}`);
}

/** Puts the button just inside the end of the outermost element (`</main>`, else the last `</div>`). */
function addButton(content: string, label: string): string {
  const lines = content.split('\n');
  const anchor = [/^(\s*)<\/main>\s*$/, /^(\s*)<\/div>\s*$/].map((re) => lines.findLastIndex((l) => re.test(l))).find((i) => i >= 0);
  if (anchor === undefined) return content;
  const indent = /^(\s*)/.exec(lines[anchor]!)![1]!;
  lines.splice(anchor, 0, `${indent}  <button type="button" onClick={() => alert(${js(`${label} clicked`)})}>{${js(label)}}</button>`);
  return lines.join('\n');
}

function setBackground(css: string, color: string): string {
  const body = /(^|\n)(body\s*\{)([^}]*)\}/.exec(css);
  if (!body) return `${css}${css && !css.endsWith('\n') ? '\n' : ''}${css ? '\n' : ''}body {\n  background: ${color};\n}\n`;
  const rule = /background(?:-color)?\s*:[^;]*;/.test(body[3]!)
    ? body[3]!.replace(/background(?:-color)?\s*:[^;]*;/, `background: ${color};`)
    : `\n  background: ${color};${body[3]}`;
  return css.replace(body[0], () => `${body[1]}${body[2]}${rule}}`);
}

/** The file after the edit; `content` is undefined for a file the edit creates. */
export function transformFile(path: string, content: string | undefined, instructions: EditInstruction[]): string {
  let next = content ?? '';
  for (const i of instructions) {
    if (path === 'src/App.tsx' && i.kind === 'title') next = retitleComponent(next, i.text);
    if (path === 'src/App.tsx' && i.kind === 'button') next = addButton(next, i.label);
    if (path === 'index.html' && i.kind === 'title') next = next.replace(/<title>[\s\S]*?<\/title>/, () => `<title>${escapeHtml(i.text)}</title>`);
    if (path === 'src/index.css' && i.kind === 'background') next = setBackground(next, i.color);
    if (path === 'src/main.tsx' && i.kind === 'background' && !next.includes("'./index.css'")) next = `import './index.css';\n${next}`;
  }
  return next;
}

export function describeEdit(i: EditInstruction): string {
  if (i.kind === 'title') return `Change the title to "${i.text}"`;
  if (i.kind === 'button') return `Add a button labelled "${i.label}"`;
  return `Make the background ${i.color}`;
}
