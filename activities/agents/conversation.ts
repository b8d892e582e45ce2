import type { MikroORM } from '@mikro-orm/postgresql';
import type OpenAI from 'openai';
import { emptyUsage, type Usage } from '../../domain/agents';
import type { LlmConfig } from '../../domain/config';
import { type ConversationContext, estimateTokens, formatConversation, formatTurn, historyShare } from '../../domain/conversation';
import { buildSummarizerMessages } from '../../domain/llm-prompts';
import type { LlmRole } from '../../domain/llm-protocol';
import { SessionSummary } from '../../db/entities/index';
import { entriesBefore, type PriorTurn } from '../../db/repositories/transcript';
import { modelForRole, streamCompletion } from '../llm/index';

export interface ConversationDeps {
  orm: MikroORM;
  llm: OpenAI;
  config: LlmConfig;
}

/** With older turns condensed, a quarter of the budget is kept for the summary. */
const SUMMARY_SHARE = 0.25;

const tokensOf = (e: PriorTurn) => estimateTokens(formatTurn(e));

/** How many of the newest entries fit `budget`; they are kept verbatim. */
function newestThatFit(entries: PriorTurn[], budget: number): number {
  let used = 0;
  let kept = 0;
  for (let i = entries.length - 1; i >= 0 && used + tokensOf(entries[i]!) <= budget; i--, kept++) used += tokensOf(entries[i]!);
  return kept;
}

/**
 * The conversation a model call of a job sees, loaded from the transcript by the activity itself
 * (workflow state carries no history): the newest turns within the role's budget, and the older
 * ones as the session's stored summary. A summary is made once per range of turns and extended
 * later, so the model condenses each turn at most once; its cost is added to the calling activity's.
 */
export function createConversationLoader({ orm, llm, config }: ConversationDeps) {
  async function condense(sessionId: string, previous: SessionSummary | null, turns: PriorTurn[], call: CallOptions) {
    const reply = await streamCompletion(llm, {
      role: 'summarizer',
      model: modelForRole(config, 'summarizer'),
      messages: buildSummarizerMessages({ previous: previous?.text ?? null, turns: turns.map(formatTurn).join('\n') }),
      signal: call.signal,
    });
    const em = orm.em.fork();
    const throughId = turns.at(-1)!.id;
    // Two calls of one job may condense the same range at once: the first row stays, both use it.
    await em.createQueryBuilder(SessionSummary).insert({ sessionId, throughId, text: reply.text.trim(), createdAt: new Date() }).onConflict(['sessionId', 'throughId']).ignore().execute();
    return { summary: await em.findOneOrFail(SessionSummary, { sessionId, throughId }), usage: reply.usage };
  }

  return async function conversationFor(jobId: string, role: LlmRole, call: CallOptions): Promise<{ history: string | undefined; usage: Usage }> {
    const budget = Math.floor(config.LLM_HISTORY_TOKENS * historyShare[role]);
    if (budget === 0) return { history: undefined, usage: emptyUsage() };
    const em = orm.em.fork();
    const entries = await entriesBefore(em, jobId);
    if (entries.length === 0) return { history: undefined, usage: emptyUsage() };
    if (newestThatFit(entries, budget) === entries.length) return { history: formatConversation({ summary: null, turns: entries }), usage: emptyUsage() };

    const kept = newestThatFit(entries, Math.floor(budget * (1 - SUMMARY_SHARE)));
    const older = entries.slice(0, entries.length - kept);
    const { sessionId } = entries[0]!;
    let summary = await em.findOne(SessionSummary, { sessionId, throughId: { $lte: entries.at(-1)!.id } }, { orderBy: { throughId: 'desc' } });
    let usage = emptyUsage();
    if (!summary || summary.throughId < older.at(-1)!.id) {
      const made = await condense(sessionId, summary, older.filter((e) => !summary || e.id > summary.throughId), call);
      summary = made.summary;
      usage = made.usage;
    }
    const through = summary.throughId;
    const context: ConversationContext = {
      summary: summary.text.slice(0, Math.floor(budget * SUMMARY_SHARE) * 4),
      turns: entries.filter((e) => e.id > through),
    };
    return { history: formatConversation(context), usage };
  };
}

export interface CallOptions {
  signal?: AbortSignal;
}

export type ConversationLoader = ReturnType<typeof createConversationLoader>;
