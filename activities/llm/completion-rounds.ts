import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { addUsage, emptyUsage, type Usage } from '../../domain/agents';
import { CONTINUE_PROMPT, LlmOutputError } from '../../domain/llm-protocol';
import { meterReply } from './usage-meter';

/**
 * The conversation loop around single model calls ("rounds"): a reply cut by the length limit is
 * continued (the partial text goes back as the assistant turn), tool calls are run and answered,
 * and usage adds up over every round, so callers get one complete text and its full cost.
 */

/** A function the model may call. `run` throws only for infrastructure faults (the activity retries). */
export interface LlmTool<A = unknown> {
  name: string;
  description: string;
  parameters: z.ZodType<A>;
  run(args: A): Promise<string>;
}

export const toolDefinition = (tool: LlmTool): ChatCompletionTool => ({
  type: 'function',
  function: { name: tool.name, description: tool.description, parameters: z.toJSONSchema(tool.parameters) as Record<string, unknown> },
});

export interface RoundResult {
  text: string;
  finishReason: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  usage: Usage;
}
export type Round = (messages: ChatCompletionMessageParam[]) => Promise<RoundResult>;

export interface CompletionResult {
  text: string;
  finishReason: string;
  usage: Usage;
}

/** Enough for a few thousand lines at common output limits; past it something is wrong. */
export const MAX_CONTINUATIONS = 8;
export const MAX_TOOL_ROUNDS = 4;

/** When a provider sends no usage figures: about four characters per token. */
export function estimateUsage(messages: readonly ChatCompletionMessageParam[], text: string): Usage {
  const prompt = messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length), 0);
  return { promptTokens: Math.ceil(prompt / 4), completionTokens: Math.ceil(text.length / 4), calls: 1 };
}

async function answerToolCall(tools: readonly LlmTool[], call: RoundResult['toolCalls'][number]): Promise<ChatCompletionMessageParam> {
  const tool = tools.find((t) => t.name === call.name);
  if (!tool) throw new LlmOutputError('tool_misuse', `The model called the tool "${call.name}", which was not offered`);
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
  } catch {
    return { role: 'tool', tool_call_id: call.id, content: 'Error: the arguments are not valid JSON.' };
  }
  const parsed = tool.parameters.safeParse(args);
  // Bad arguments go back to the model as the tool's answer, so it can correct itself.
  const content = parsed.success ? await tool.run(parsed.data) : `Error: invalid arguments: ${z.prettifyError(parsed.error)}`;
  return { role: 'tool', tool_call_id: call.id, content };
}

export interface RoundOptions {
  tools?: readonly LlmTool[];
  maxContinuations?: number;
}

export async function runRounds(round: Round, messages: readonly ChatCompletionMessageParam[], options: RoundOptions = {}): Promise<CompletionResult> {
  const { tools = [], maxContinuations = MAX_CONTINUATIONS } = options;
  let conversation = [...messages];
  let text = '';
  let usage = emptyUsage();
  let continuations = 0;
  let toolRounds = 0;
  for (;;) {
    const result = await round(text ? [...conversation, { role: 'assistant', content: text }, { role: 'user', content: CONTINUE_PROMPT }] : conversation);
    usage = addUsage(usage, result.usage);
    meterReply(result.usage);
    text += result.text;
    if (result.finishReason === 'length') {
      if (++continuations > maxContinuations) throw new LlmOutputError('truncated', `The reply was still cut off by the length limit after ${maxContinuations} continuations`);
      continue;
    }
    if (!result.toolCalls.length) return { text, finishReason: result.finishReason, usage };
    if (++toolRounds > MAX_TOOL_ROUNDS) throw new LlmOutputError('tool_misuse', `The model kept calling tools after ${MAX_TOOL_ROUNDS} rounds`);
    const assistant: ChatCompletionMessageParam = {
      role: 'assistant',
      content: text || null,
      tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
    conversation = [...conversation, assistant, ...(await Promise.all(result.toolCalls.map((c) => answerToolCall(tools, c))))];
    text = '';
  }
}
