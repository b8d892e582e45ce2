import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { type LlmRole, withRoleMarker } from '../../domain/llm-protocol';
import { failureOf } from './classify-error';
import { type CompletionResult, type LlmTool, runRounds, toolDefinition } from './completion-rounds';
import { streamRound } from './stream-round';

export interface StreamCompletionInput {
  role: LlmRole;
  model: string;
  messages: readonly ChatCompletionMessageParam[];
  /** Output limit per call; a reply cut by it is continued, never returned truncated. */
  maxTokens?: number;
  tools?: readonly LlmTool[];
  /** Each text delta as it arrives (for live events); transient, the result carries the whole text. */
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
  /** Longest silence inside a stream; defaults to the client's timeout. */
  idleTimeoutMs?: number;
}

/**
 * A streamed completion for the coder and fixer: deltas live, the complete text at the end (length
 * cuts continued, tool calls answered), usage over every call. Failures come out as typed
 * ApplicationFailures; a cancelled activity gets its own cancellation back.
 */
export async function streamCompletion(client: OpenAI, input: StreamCompletionInput): Promise<CompletionResult> {
  const tools = input.tools ?? [];
  const round = streamRound(client, {
    params: {
      model: input.model,
      ...(input.maxTokens ? { max_completion_tokens: input.maxTokens } : {}),
      ...(tools.length ? { tools: tools.map(toolDefinition) } : {}),
    },
    idleTimeoutMs: input.idleTimeoutMs ?? client.timeout,
    signal: input.signal,
    onDelta: input.onDelta,
  });
  try {
    return await runRounds(round, withRoleMarker(input.role, input.messages) as ChatCompletionMessageParam[], { tools });
  } catch (err) {
    throw failureOf(err, input.signal);
  }
}
