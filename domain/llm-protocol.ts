import { z } from 'zod';
import { IntentKind, JobPlan, PlannedFile } from './agents';
import { FilePath } from './file-path';

/**
 * The contract between Forge's prompts and any model, real or offline. A real model simply reads
 * the instructions; the offline rule-based model (scripts/model-server) keys on the same markers,
 * sections and formats, so both run through one client code path.
 */

export const LlmRole = z.enum(['router', 'planner', 'coder', 'fixer', 'summarizer']);
export type LlmRole = z.infer<typeof LlmRole>;

/** The first system message of every request starts with this marker: `[forge:coder] ...`. */
export const roleMarker = (role: LlmRole) => `[forge:${role}]`;

const markerPattern = /^\[forge:(router|planner|coder|fixer|summarizer)\]/;

/** The role a request is for, read from its first system message; undefined when unmarked. */
export function readRoleMarker(messages: readonly { role: string; content?: unknown }[]): LlmRole | undefined {
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  const text = typeof system?.content === 'string' ? system.content : '';
  const match = markerPattern.exec(text);
  return match ? LlmRole.parse(match[1]) : undefined;
}

/**
 * The messages with the role marker in front: the first system message gets it prepended unless it
 * already starts with it, or a marker-only system message is added.
 */
export function withRoleMarker<M extends { role: string; content?: unknown }>(role: LlmRole, messages: readonly M[]): (M | { role: 'system'; content: string })[] {
  const marker = roleMarker(role);
  const index = messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
  const first = messages[index];
  if (first && typeof first.content === 'string') {
    if (first.content.startsWith(marker)) return [...messages];
    return messages.map((m, i) => (i === index ? { ...m, content: `${marker} ${first.content}` } : m));
  }
  return [{ role: 'system', content: marker }, ...messages];
}

/** Router output. `answer` is set for questions, `questions` when the request is too vague. */
export const Intent = z.object({
  kind: IntentKind,
  summary: z.string().min(1),
  answer: z.string().nullable(),
  questions: z.array(z.string().min(1)).nullable(),
});
export type Intent = z.infer<typeof Intent>;

/** Planner output: the job's plan, held to what a version can be (real paths, at least one file). */
export const Plan = JobPlan.extend({
  message: z.string().min(1).max(200),
  files: z.array(PlannedFile.extend({ path: FilePath, why: z.string().min(1) })).min(1),
});
export type Plan = z.infer<typeof Plan>;

export interface StructuredOutput<T> {
  /** The `json_schema.name` sent with the request. */
  name: string;
  zod: z.ZodType<T>;
  /** Strict-mode compatible: every property required, nullable where optional, no extra keys. */
  json: Record<string, unknown>;
}

function structuredOutput<T>(name: string, zod: z.ZodType<T>): StructuredOutput<T> {
  const { $schema: _, ...json } = z.toJSONSchema(zod) as Record<string, unknown>;
  return { name, zod, json };
}

export const structuredOutputs = {
  intent: structuredOutput('intent', Intent),
  plan: structuredOutput('plan', Plan),
};

/**
 * Sent as the user turn after a reply cut by the length limit, with the partial reply as the
 * assistant turn before it. The offline model recognises exactly this text.
 */
export const CONTINUE_PROMPT = 'Continue exactly where you stopped. Do not repeat anything you already wrote.';

/** The one tool Forge offers: a coder or fixer without a file's content in its prompt may ask for it. */
export const ReadFileArgs = z.object({ path: FilePath });
export type ReadFileArgs = z.infer<typeof ReadFileArgs>;
export const READ_FILE_TOOL = 'read_file';

/**
 * The packages the compile check provides to every generated app (activities/codegen/toolchain,
 * pinned there; a unit test keeps the two equal). Apps use exactly these, nothing else is installed.
 */
export const generatedAppPackages = {
  dependencies: { react: '19.3.1', 'react-dom': '19.3.1' },
  devDependencies: { '@types/react': '19.3.0', '@types/react-dom': '19.3.0', typescript: '7.0.2', vite: '8.3.8' },
} as const;

/** Files every generated app has; the entry points Vite and tsc start from. */
export const requiredAppFiles = ['package.json', 'index.html', 'tsconfig.json', 'src/main.tsx', 'src/App.tsx'] as const;

/** Why a model reply could not be used. Retrying the call (or re-asking) may fix it. */
export type LlmOutputProblem =
  | 'malformed_json'
  | 'schema_mismatch'
  | 'malformed_edit'
  | 'no_edits'
  | 'malformed_file'
  | 'no_files'
  /** Still cut by the length limit after the bounded number of continuations. */
  | 'truncated'
  /** Kept calling tools past the bound, or called one that was not offered. */
  | 'tool_misuse';

export class LlmOutputError extends Error {
  constructor(
    readonly problem: LlmOutputProblem,
    message: string,
  ) {
    super(message);
    this.name = 'LlmOutputError';
  }
}
