import { diagnosticLine, readFields } from '../../domain/llm-prompts';
import { READ_FILE_TOOL } from '../../domain/llm-protocol';
import { answerFile } from './rule-coder';
import type { PromptContext } from './prompt-context';
import type { ModelReply } from './rule-model';

/**
 * The offline fixer handles the simple, mechanical diagnostics: a React hook used without its
 * import, an import of a module that does not exist, an unused import. Anything else comes back
 * unchanged, and the codegen's fix loop gives up honestly instead of looping forever.
 */

const hooks = new Set(['useState', 'useEffect', 'useMemo', 'useRef', 'useCallback', 'useReducer', 'useContext', 'useId', 'useTransition']);

interface Diagnostic {
  path: string;
  line: number;
  code: number;
  message: string;
}

function importHooks(content: string, names: string[]): string {
  if (!names.length) return content;
  const named = /^import\s*\{([^}]*)\}\s*from\s*['"]react['"];?[ \t]*$/m;
  const match = named.exec(content);
  if (!match) return `import { ${names.join(', ')} } from 'react';\n${content}`;
  const all = [...new Set([...match[1]!.split(',').map((n) => n.trim()).filter(Boolean), ...names])];
  return content.replace(named, () => `import { ${all.join(', ')} } from 'react';`);
}

export function fixFile(content: string, diagnostics: Diagnostic[]): string {
  const lines = content.split('\n');
  const missingHooks = new Set<string>();
  const dropLines = new Set<number>();
  for (const d of diagnostics) {
    const name = /Cannot find name '(\w+)'/.exec(d.message)?.[1];
    if ((d.code === 2304 || d.code === 2552) && name && hooks.has(name)) missingHooks.add(name);
    const line = lines[d.line - 1] ?? '';
    const removable = /^\s*import\b.*;?\s*$/.test(line) && (d.code === 2307 || (d.code === 6133 && /^\s*import\s+\w+\s+from/.test(line)) || d.code === 6192);
    if (removable) dropLines.add(d.line - 1);
  }
  return importHooks(lines.filter((_, i) => !dropLines.has(i)).join('\n'), [...missingHooks]);
}

export function fix(ctx: PromptContext): ModelReply {
  const diagnostics: Diagnostic[] = (ctx.sections.diagnostics ?? '').split('\n').flatMap((line) => {
    const m = diagnosticLine.exec(line.trim());
    return m ? [{ path: m[1]!, line: Number(m[2]), code: Number(m[4]), message: m[5]! }] : [];
  });
  const paths = [...new Set(diagnostics.map((d) => d.path))];
  const unseen = paths.filter((p) => ctx.files[p] === undefined && !ctx.requested.includes(p));
  if (unseen.length && ctx.tools.includes(READ_FILE_TOOL)) {
    return { toolCalls: unseen.map((path) => ({ name: READ_FILE_TOOL, arguments: JSON.stringify({ path }) })) };
  }
  const format = readFields(ctx.sections.task ?? '').format === 'whole_file' ? 'whole_file' : 'edit_blocks';
  const answers = paths.flatMap((path) => {
    const before = ctx.files[path];
    if (before === undefined) return [];
    const after = fixFile(before, diagnostics.filter((d) => d.path === path));
    return after === before && format === 'edit_blocks' ? [] : [answerFile(path, before, after, format)];
  });
  return { content: answers.join('\n\n') || 'I cannot fix these diagnostics.' };
}
