import type OpenAI from 'openai';
import { addUsage, emptyUsage, type JobPlan, type Usage } from '../../domain/agents';
import type { LlmConfig } from '../../domain/config';
import { applyEditBlocks, type EditFailure, parseEditBlocks, parseWholeFiles, type WholeFile } from '../../domain/llm-edit-format';
import { buildCoderMessages, buildFixerMessages, buildRetryMessages, type CoderTask, type PromptMessage, type ReplyFormat } from '../../domain/llm-prompts';
import { type LlmRole, LlmOutputError } from '../../domain/llm-protocol';
import type { TypeCheckDiagnostic } from '../../domain/type-check';
import { classifyLlmError, modelForRole, streamCompletion } from '../llm/index';

export interface ModelCall {
  client: OpenAI;
  config: LlmConfig;
  signal?: AbortSignal;
  onDelta?: (data: Record<string, unknown>) => void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; problem: string | EditFailure[] };

/**
 * Asks, checks the reply, and re-asks with the problem spelled out: once more in the same format,
 * then (for edits) in whole-file format. Nothing is returned that did not parse and apply.
 */
async function askUntilUsable<T>(
  call: ModelCall,
  role: LlmRole,
  first: PromptMessage[],
  formats: ReplyFormat[],
  task: Record<string, string>,
  interpret: (text: string, format: ReplyFormat) => Outcome<T>,
  deltaTag: Record<string, unknown>,
): Promise<{ value: T; usage: Usage }> {
  let messages = first;
  let usage = emptyUsage();
  let lastProblem = '';
  for (const [attempt, format] of formats.entries()) {
    const reply = await streamCompletion(call.client, {
      role,
      model: modelForRole(call.config, role),
      messages,
      signal: call.signal,
      onDelta: call.onDelta ? (text) => call.onDelta!({ ...deltaTag, text }) : undefined,
    });
    usage = addUsage(usage, reply.usage);
    const outcome = interpret(reply.text, format);
    if (outcome.ok) return { value: outcome.value, usage };
    lastProblem = typeof outcome.problem === 'string' ? outcome.problem : outcome.problem.map((f) => `${f.path}: ${f.reason}`).join('; ');
    const next = formats[attempt + 1];
    if (next) messages = buildRetryMessages(messages, reply.text, outcome.problem, { ...task, format: next });
  }
  throw classifyLlmError(new LlmOutputError('malformed_edit', `No usable reply after ${formats.length} attempts: ${lastProblem}`));
}

const attempt = <T>(fn: () => Outcome<T>): Outcome<T> => {
  try {
    return fn();
  } catch (err) {
    if (err instanceof LlmOutputError) return { ok: false, problem: err.message };
    throw err;
  }
};

/** One planned file: whole content for a new file; SEARCH/REPLACE edits (dry-run first) for an existing one. */
export async function writeFileWithModel(
  call: ModelCall,
  input: { request: string; plan: JobPlan; file: JobPlan['files'][number]; files: WholeFile[]; history?: string },
): Promise<{ content: string; usage: Usage }> {
  const { file } = input;
  const existing = input.files.find((f) => f.path === file.path);
  const task: CoderTask = { action: existing ? 'update' : 'create', path: file.path, format: existing ? 'edit_blocks' : 'whole_file', why: file.why };
  const formats: ReplyFormat[] = existing ? ['edit_blocks', 'edit_blocks', 'whole_file'] : ['whole_file', 'whole_file'];
  const { value, usage } = await askUntilUsable(
    call,
    'coder',
    buildCoderMessages({ request: input.request, plan: input.plan, task, files: input.files, history: input.history }),
    formats,
    task,
    (text, format) =>
      attempt(() => {
        if (format === 'whole_file') {
          const written = parseWholeFiles(text, file.path).find((f) => f.path === file.path);
          return written ? { ok: true, value: written.content } : { ok: false, problem: `The reply does not contain ${file.path}` };
        }
        const blocks = parseEditBlocks(text).filter((b) => b.path === file.path);
        if (blocks.length === 0) return { ok: false, problem: `The reply has no edit for ${file.path}` };
        const applied = applyEditBlocks({ [file.path]: existing!.content }, blocks);
        return applied.ok ? { ok: true, value: applied.files[file.path]! } : { ok: false, problem: applied.failures };
      }),
    { role: 'coder', path: file.path },
  );
  return { content: value, usage };
}

/** Edits that clear compiler diagnostics; falls back to whole files when edits do not apply. */
export async function fixWithModel(
  call: ModelCall,
  input: { diagnostics: TypeCheckDiagnostic[]; files: WholeFile[] },
): Promise<{ changed: WholeFile[]; usage: Usage }> {
  const current = Object.fromEntries(input.files.map((f) => [f.path, f.content]));
  const { value, usage } = await askUntilUsable(
    call,
    'fixer',
    buildFixerMessages({ diagnostics: input.diagnostics, files: input.files, format: 'edit_blocks' }),
    ['edit_blocks', 'edit_blocks', 'whole_file'],
    { format: 'edit_blocks' },
    (text, format) =>
      attempt(() => {
        if (format === 'whole_file') return { ok: true, value: parseWholeFiles(text) };
        const applied = applyEditBlocks(current, parseEditBlocks(text));
        return applied.ok ? { ok: true, value: applied.changed.map((path) => ({ path, content: applied.files[path]! })) } : { ok: false, problem: applied.failures };
      }),
    { role: 'fixer' },
  );
  return { changed: value.filter((f) => current[f.path] !== f.content), usage };
}
