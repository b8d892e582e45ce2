import type { ChatRequest } from './chat-request';
import { readContext } from './prompt-context';
import { code } from './rule-coder';
import { fix } from './rule-fixer';
import { plan } from './rule-planner';
import { route } from './rule-router';
import { readMemory, summarize } from './conversation-memory';

/**
 * The deterministic rule-based model behind the offline server: the same request always gets the
 * same reply, which is what makes continuation after a length cut (and tests) work without state.
 */

export type ModelReply = { content: string } | { toolCalls: { name: string; arguments: string }[] };

export function ruleModel(request: ChatRequest): ModelReply {
  const ctx = readContext(request);
  switch (ctx.role) {
    case 'router':
      return { content: JSON.stringify(route(ctx)) };
    case 'planner':
      return { content: JSON.stringify(plan(ctx)) };
    case 'coder':
      return code(ctx);
    case 'fixer':
      return fix(ctx);
    case 'summarizer':
      return { content: summarize(readMemory(ctx.sections.history, ctx.sections.summary)) };
    case undefined:
      return { content: 'This is Forge\'s offline model. Start the first system message with [forge:router], [forge:planner], [forge:coder] or [forge:fixer].' };
  }
}
