import { parseWholeFiles } from '../../domain/llm-edit-format';
import { PromptSection, readSection } from '../../domain/llm-prompts';
import { type LlmRole, READ_FILE_TOOL, ReadFileArgs } from '../../domain/llm-protocol';
import type { ChatRequest } from './chat-request';

/**
 * A request as the rule-based model reads it: the tagged sections of the user turns (a later turn,
 * such as a retry, overrides a section of an earlier one), the files it was shown or fetched with
 * the read_file tool, and the tools on offer.
 */
export interface PromptContext {
  role: LlmRole | undefined;
  request: string;
  sections: Partial<Record<PromptSection, string>>;
  /** Paths of the current app, from the file list or the files shown. */
  paths: string[];
  files: Record<string, string>;
  tools: string[];
  /** Paths already asked for with read_file, answered or not. */
  requested: string[];
}

function shownFiles(body: string | undefined): Record<string, string> {
  if (!body || body === '(none)') return {};
  try {
    return Object.fromEntries(parseWholeFiles(body).map((f) => [f.path, f.content]));
  } catch {
    return {};
  }
}

function readArgs(json: string) {
  try {
    return ReadFileArgs.safeParse(JSON.parse(json)).data;
  } catch {
    return undefined;
  }
}

export function readContext(request: ChatRequest): PromptContext {
  const sections: Partial<Record<PromptSection, string>> = {};
  for (const message of request.messages.filter((m) => m.role === 'user')) {
    for (const name of PromptSection.options) {
      const body = readSection(message.content, name);
      if (body !== undefined) sections[name] = body;
    }
  }
  const files = shownFiles(sections.files);
  const calls = new Map(request.messages.flatMap((m) => m.toolCalls).filter((c) => c.name === READ_FILE_TOOL).map((c) => [c.id, readArgs(c.arguments)]));
  for (const message of request.messages) {
    const path = message.role === 'tool' && message.toolCallId ? calls.get(message.toolCallId)?.path : undefined;
    if (path) files[path] = message.content;
  }
  const listed = sections.file_list && sections.file_list !== '(none)' ? sections.file_list.split('\n').filter(Boolean) : [];
  const lastUser = request.messages.findLast((m) => m.role === 'user')?.content ?? '';
  return {
    role: request.role,
    request: (sections.request ?? lastUser).trim(),
    sections,
    paths: [...new Set([...listed, ...Object.keys(files)])],
    files,
    tools: request.tools,
    requested: [...calls.values()].flatMap((args) => (args ? [args.path] : [])),
  };
}
