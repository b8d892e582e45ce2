import { readFields } from '../../domain/llm-prompts';
import type { Plan } from '../../domain/llm-protocol';
import { describeEdit, editTargets, readEditInstructions } from './app-edits';
import { appFiles, fileReasons } from './app-templates';
import { describeTheme, themeOf } from './app-theme';
import type { PromptContext } from './prompt-context';

/** The offline planner: the template's files for a new app, the touched files for an edit. */

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The request with the feedback on a rejected plan, which may add or correct instructions. */
export const requestWithFeedback = (ctx: PromptContext) => [ctx.request, ctx.sections.feedback].filter(Boolean).join('. ');

export function plan(ctx: PromptContext): Plan {
  const kind = readFields(ctx.sections.intent ?? '').kind;
  const request = requestWithFeedback(ctx);
  if (kind === 'new_app' || ctx.paths.length === 0) {
    const theme = themeOf(request);
    const described = describeTheme(theme);
    return {
      summary: `${sentence(described)}, built with Vite, React and TypeScript`,
      message: `Create ${described}`.slice(0, 200),
      files: Object.keys(appFiles(theme)).map((path) => ({ path, action: 'create', why: fileReasons[path] ?? 'Part of the app' })),
    };
  }
  if (kind === 'fix') {
    return {
      summary: 'Repair what the compiler reports',
      message: 'Fix compile errors',
      files: [{ path: 'src/App.tsx', action: 'update', why: 'Repair the errors the compiler reports' }],
    };
  }
  const edits = readEditInstructions(request);
  const files = editTargets(edits, ctx.paths);
  const summary = edits.map(describeEdit).join('; ') || 'Apply the requested change';
  return {
    summary,
    message: summary.slice(0, 200),
    files: files.length ? files : [{ path: 'src/App.tsx', action: 'update', why: 'Apply the requested change' }],
  };
}
