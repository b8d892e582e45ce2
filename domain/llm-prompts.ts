import { z } from 'zod';
import { type EditFailure, type WholeFile, formatWholeFile } from './llm-edit-format';
import { FilePath } from './file-path';
import type { TypeCheckDiagnostic } from './type-check';
import {
  type Intent,
  type LlmRole,
  type Plan,
  generatedAppPackages,
  requiredAppFiles,
  roleMarker,
} from './llm-protocol';

/**
 * Prompts for each codegen stage. The user turn is made of tagged sections (`<request>` ... `</request>`)
 * so a real model reads them as labelled context and the offline model parses them back with
 * `readSection`. Instructions live in the system turn, which starts with the role marker.
 */

export type PromptMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export const PromptSection = z.enum(['request', 'history', 'summary', 'file_list', 'files', 'intent', 'feedback', 'plan', 'task', 'diagnostics', 'edit_error']);
export type PromptSection = z.infer<typeof PromptSection>;

export const section = (name: PromptSection, body: string) => `<${name}>\n${body}\n</${name}>`;

/** The body of a section; the last closing tag wins so file contents cannot end it early. */
export function readSection(text: string, name: PromptSection): string | undefined {
  const open = `<${name}>\n`;
  const start = text.indexOf(open);
  const end = text.lastIndexOf(`\n</${name}>`);
  return start < 0 || end < start + open.length - 1 ? undefined : text.slice(start + open.length, end);
}

export const ReplyFormat = z.enum(['whole_file', 'edit_blocks']);
export type ReplyFormat = z.infer<typeof ReplyFormat>;

/** One coder call writes one file; `format` says how the reply must come back. */
export const CoderTask = z.object({
  action: z.enum(['create', 'update']),
  path: FilePath,
  format: ReplyFormat,
  why: z.string(),
});
export type CoderTask = z.infer<typeof CoderTask>;

const formatFields = (task: Record<string, string>) => Object.entries(task).map(([k, v]) => `${k}: ${v.replace(/\n/g, ' ')}`).join('\n');

/** Reads the `key: value` lines of a section (task, intent) back into an object. */
export function readFields(body: string): Record<string, string> {
  const pairs = body.split('\n').map((line) => /^(\w+): (.*)$/.exec(line)).filter((m) => m !== null);
  return Object.fromEntries(pairs.map((m) => [m[1]!, m[2]!]));
}

/** A diagnostic in tsc's own line format, which models know well. */
export const formatDiagnostic = (d: TypeCheckDiagnostic) =>
  d.file === null ? `error TS${d.code}: ${d.message}` : `${d.file}(${d.line},${d.column}): error TS${d.code}: ${d.message}`;
export const diagnosticLine = /^(.+?)\((\d+),(\d+)\): error TS(\d+): (.*)$/;

const appRules = [
  'Apps are Vite + React 19 + TypeScript (strict), function components only.',
  `Only these packages exist: ${JSON.stringify(generatedAppPackages)}. Never import anything else.`,
  `Every app has ${requiredAppFiles.join(', ')}. index.html has <div id="root"> and <script type="module" src="/src/main.tsx">.`,
  "tsconfig.json: strict, jsx react-jsx, moduleResolution bundler, noEmit, types ['vite/client'], include ['src'].",
].join('\n');

const instructions: Record<LlmRole, string> = {
  router:
    'You route one message of a user of Forge, an app builder. kind: new_app (build an app), edit (change the existing app), ' +
    'question (answer it in `answer`, change nothing), fix (repair errors in the existing app). When the message is too vague ' +
    'to act on, set `questions` to one to three short clarifying questions. Unused fields are null. Reply with JSON only.',
  planner:
    'You plan one change to a small web app: every file to create, update or delete, each with why, and a short imperative ' +
    `commit message for the resulting version. Reply with JSON only.\n${appRules}`,
  coder:
    'You write one file of a small web app, following the task. format whole_file: reply with the complete file in one fenced ' +
    'block whose info string is the path (```src/App.tsx). format edit_blocks: reply with SEARCH/REPLACE blocks, the path on ' +
    'the line before `<<<<<<< SEARCH`, then lines copied exactly from the file, `=======`, the new lines, `>>>>>>> REPLACE`; ' +
    `each SEARCH must match exactly one place. No prose.\n${appRules}`,
  fixer:
    'You fix TypeScript errors in a small web app. Reply with SEARCH/REPLACE edit blocks (or, when the task asks for ' +
    `whole_file, complete files in fenced blocks named by path) that make the diagnostics go away. No prose.\n${appRules}`,
  summarizer:
    'You condense the older part of a conversation between a user and Forge, an app builder, so later turns can refer back to it. ' +
    'Keep the user\'s first message word for word, every request in order, what Forge built and each version it saved. ' +
    'Extend the previous summary when one is given. Plain text, at most 15 short lines.',
};

const system = (role: LlmRole): PromptMessage => ({ role: 'system', content: `${roleMarker(role)} ${instructions[role]}` });
const user = (...sections: string[]): PromptMessage => ({ role: 'user', content: sections.join('\n\n') });
const filesSection = (files: readonly WholeFile[]) => section('files', files.map(formatWholeFile).join('\n\n') || '(none)');

/**
 * The conversation so far (domain/conversation.ts formats it) comes first, as context: the request
 * is still the message to act on, and "it", "the button you added" or "my first message" resolve against it.
 */
const historySection = (history: string | undefined) => (history ? [section('history', history)] : []);

export function buildRouterMessages(input: { request: string; filePaths: readonly string[]; history?: string }): PromptMessage[] {
  return [system('router'), user(...historySection(input.history), section('file_list', input.filePaths.join('\n') || '(none)'), section('request', input.request))];
}

/** `feedback` is why the user rejected the previous plan; the new plan must address it. */
export function buildPlannerMessages(input: { request: string; intent: Pick<Intent, 'kind' | 'summary'>; files: readonly WholeFile[]; feedback?: string; history?: string }): PromptMessage[] {
  const feedback = input.feedback ? [section('feedback', input.feedback)] : [];
  const intent = formatFields({ kind: input.intent.kind, summary: input.intent.summary });
  return [system('planner'), user(...historySection(input.history), filesSection(input.files), section('intent', intent), section('request', input.request), ...feedback)];
}

/** `files` holds the target's current content for an update, plus any files worth seeing. */
export function buildCoderMessages(input: { request: string; plan: Plan; task: CoderTask; files: readonly WholeFile[]; history?: string }): PromptMessage[] {
  return [
    system('coder'),
    user(...historySection(input.history), filesSection(input.files), section('plan', JSON.stringify(input.plan, null, 2)), section('request', input.request), section('task', formatFields(input.task))),
  ];
}

export function buildFixerMessages(input: { diagnostics: readonly TypeCheckDiagnostic[]; files: readonly WholeFile[]; format: ReplyFormat }): PromptMessage[] {
  return [
    system('fixer'),
    user(filesSection(input.files), section('diagnostics', input.diagnostics.map(formatDiagnostic).join('\n')), section('task', formatFields({ format: input.format }))),
  ];
}

/** `previous` is the stored summary being extended; `turns` the formatted turns it must now also cover. */
export function buildSummarizerMessages(input: { previous: string | null; turns: string }): PromptMessage[] {
  const previous = input.previous ? [section('summary', input.previous)] : [];
  return [system('summarizer'), user(...previous, section('history', input.turns))];
}

const failureWords: Record<EditFailure['reason'], string> = {
  not_found: 'the SEARCH lines do not appear in the file',
  ambiguous: 'the SEARCH lines appear more than once; include more surrounding lines',
  file_missing: 'the file does not exist',
  empty_search: 'an empty SEARCH is only allowed for a new file',
};

/**
 * Re-asks after a reply that did not parse or apply: the reply stays in the conversation, then
 * the problem and the (possibly changed) task. A coder retry switches to whole_file to fall back.
 */
export function buildRetryMessages(previous: readonly PromptMessage[], reply: string, problem: string | readonly EditFailure[], task: Record<string, string>): PromptMessage[] {
  const what = typeof problem === 'string' ? problem : problem.map((f) => `- ${f.path}: ${failureWords[f.reason]}:\n${f.search}`).join('\n');
  return [...previous, { role: 'assistant', content: reply }, user(section('edit_error', what), section('task', formatFields(task)))];
}
