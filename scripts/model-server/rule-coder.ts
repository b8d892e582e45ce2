import { formatEditBlock, formatWholeFile } from '../../domain/llm-edit-format';
import { CoderTask, readFields } from '../../domain/llm-prompts';
import { Plan, READ_FILE_TOOL } from '../../domain/llm-protocol';
import { readEditInstructions, transformFile } from './app-edits';
import { appFiles, stubFile } from './app-templates';
import { themeOf } from './app-theme';
import { toEditBlocks } from './edit-diff';
import type { PromptContext } from './prompt-context';
import { requestWithFeedback } from './rule-planner';
import type { ModelReply } from './rule-model';

/**
 * The offline coder writes the file its task names. A new app's files come from the template of
 * the request's theme (the same theme every coder call derives, so imports line up); an update
 * applies the request's edits to the current content and answers in the asked format.
 */

function planOf(ctx: PromptContext): Plan | undefined {
  try {
    return Plan.parse(JSON.parse(ctx.sections.plan ?? ''));
  } catch {
    return undefined;
  }
}

const isNewApp = (ctx: PromptContext) => planOf(ctx)?.files.every((f) => f.action === 'create') ?? ctx.paths.length === 0;

/**
 * The request's edits plus those the plan settled on: feedback on a rejected plan reaches the coder
 * only through the new plan, whose summary lists each edit ("...; ...") in the planner's words.
 * One edit per kind, the request's first.
 */
function editsFor(ctx: PromptContext) {
  const planned = (planOf(ctx)?.summary ?? '').split(/;\s*/).flatMap(readEditInstructions);
  return [...readEditInstructions(requestWithFeedback(ctx)), ...planned].filter((e, i, all) => all.findIndex((o) => o.kind === e.kind) === i);
}

/** Edit blocks when asked for and possible; a whole file otherwise (a real model does the same). */
export function answerFile(path: string, before: string, after: string, format: CoderTask['format']): string {
  const blocks = format === 'edit_blocks' ? toEditBlocks(path, before, after) : [];
  return blocks.length ? blocks.map(formatEditBlock).join('\n\n') : formatWholeFile({ path, content: after });
}

export function code(ctx: PromptContext): ModelReply {
  const parsed = CoderTask.safeParse(readFields(ctx.sections.task ?? ''));
  if (!parsed.success) return { content: 'I need a <task> section with action, path, format and why.' };
  const { action, path, format } = parsed.data;
  const edits = editsFor(ctx);
  if (action === 'create') {
    const base = isNewApp(ctx) ? appFiles(themeOf(requestWithFeedback(ctx)))[path] : undefined;
    const content = transformFile(path, base, edits) || stubFile(path);
    return { content: formatWholeFile({ path, content }) };
  }
  const current = ctx.files[path];
  if (current === undefined) {
    if (ctx.tools.includes(READ_FILE_TOOL) && !ctx.requested.includes(path)) {
      return { toolCalls: [{ name: READ_FILE_TOOL, arguments: JSON.stringify({ path }) }] };
    }
    return { content: `I need the current content of ${path} to change it.` };
  }
  return { content: answerFile(path, current, transformFile(path, current, edits), format) };
}
