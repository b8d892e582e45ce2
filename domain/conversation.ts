import { z } from 'zod';
import type { LlmRole } from './llm-protocol';
import { PageQuery } from './pagination';

/**
 * A session's transcript: every turn's user message and Forge's replies, in the order they
 * happened. Jobs of a session run one at a time, so entries never interleave between turns.
 */
export const TranscriptAuthor = z.enum(['user', 'forge']);
export type TranscriptAuthor = z.infer<typeof TranscriptAuthor>;

/**
 * user: `message` (what they sent), `answer` (to Forge's questions), `feedback` (on a rejected plan).
 * forge: `answer` (to a question), `questions`, `plan` (its summary), `outcome` (saved version or failure).
 */
export const TranscriptKind = z.enum(['message', 'answer', 'feedback', 'questions', 'plan', 'outcome']);
export type TranscriptKind = z.infer<typeof TranscriptKind>;

export const TranscriptEntryDto = z.object({
  /** Increasing in transcript order; stable, usable as a client-side key. */
  id: z.number().int(),
  sessionId: z.string(),
  jobId: z.string(),
  author: TranscriptAuthor,
  kind: TranscriptKind,
  text: z.string(),
  /** Structured detail: `questions`, `plan`, `{ status, version, error }` of an outcome. */
  data: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type TranscriptEntryDto = z.infer<typeof TranscriptEntryDto>;

/** Newest first by default (a chat view opens at the end and pages back); `order=asc` reads from the start. */
export const TranscriptQuery = PageQuery.extend({ order: z.enum(['desc', 'asc']).default('desc') });
export type TranscriptQuery = z.infer<typeof TranscriptQuery>;

/** What a model sees of the conversation before the current message. */
export interface ConversationContext {
  /** The model's own condensation of turns too old to fit the budget; null when every turn fits. */
  summary: string | null;
  turns: Array<{ author: TranscriptAuthor; kind: TranscriptKind; text: string }>;
}

/** The usual rough rule for English and code: about four characters per token. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Share of LLM_HISTORY_TOKENS each role gets: the router and planner decide what a message means
 * and need the most; a coder writes one file of a settled plan; a fixer works from compiler output only.
 */
export const historyShare: Record<LlmRole, number> = { router: 1, planner: 1, coder: 0.5, fixer: 0, summarizer: 0 };

/** One line per entry, `user:` / `forge:` first, so both real and offline models read who said what. */
export const formatTurn = (t: ConversationContext['turns'][number]) => `${t.author} (${t.kind}): ${t.text.replace(/\s*\n\s*/g, ' ')}`;

export function formatConversation(ctx: ConversationContext): string {
  const summary = ctx.summary ? [`summary of earlier turns:\n${ctx.summary}`] : [];
  return [...summary, ...ctx.turns.map(formatTurn)].join('\n');
}
