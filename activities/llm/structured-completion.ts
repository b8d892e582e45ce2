import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { type LlmRole, LlmOutputError, type StructuredOutput, withRoleMarker } from '../../domain/llm-protocol';
import type { Usage } from '../../domain/agents';
import { failureOf } from './classify-error';
import { estimateUsage, type Round, runRounds } from './completion-rounds';
import { streamRound } from './stream-round';

export interface StructuredCompletionInput<T> {
  role: LlmRole;
  model: string;
  messages: readonly ChatCompletionMessageParam[];
  schema: StructuredOutput<T>;
  maxTokens?: number;
  signal?: AbortSignal;
  /**
   * The reply's text as it is written (partial JSON), for live deltas: the call is then streamed,
   * so a user sees the router's answer and the plan take shape instead of waiting for the whole.
   */
  onDelta?: (text: string) => void;
}

export function parseStructured<T>(text: string, schema: StructuredOutput<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LlmOutputError('malformed_json', `The ${schema.name} reply is not valid JSON`);
  }
  const parsed = schema.zod.safeParse(json);
  if (!parsed.success) throw new LlmOutputError('schema_mismatch', `The ${schema.name} reply does not match its schema: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * A JSON-schema completion for the router and planner, validated with zod. Unusable JSON is a
 * retryable `llm_malformed_output`: the next attempt usually answers properly.
 */
export async function structuredCompletion<T>(client: OpenAI, input: StructuredCompletionInput<T>): Promise<{ value: T; usage: Usage }> {
  const responseFormat = { type: 'json_schema' as const, json_schema: { name: input.schema.name, schema: input.schema.json, strict: true } };
  const streamed: Round | undefined = input.onDelta
    ? streamRound(client, {
        params: { model: input.model, response_format: responseFormat, ...(input.maxTokens ? { max_completion_tokens: input.maxTokens } : {}) },
        idleTimeoutMs: client.timeout,
        signal: input.signal,
        onDelta: input.onDelta,
      })
    : undefined;
  const round: Round = streamed ?? (async (messages) => {
    const completion = await client.chat.completions.create(
      {
        model: input.model,
        messages,
        response_format: responseFormat,
        ...(input.maxTokens ? { max_completion_tokens: input.maxTokens } : {}),
      },
      { signal: input.signal },
    );
    const choice = completion.choices[0];
    if (!choice) throw new LlmOutputError('malformed_json', 'The reply has no choices');
    if (choice.message.refusal) throw new LlmOutputError('schema_mismatch', `The model refused: ${choice.message.refusal}`);
    const text = choice.message.content ?? '';
    const usage = completion.usage
      ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens, calls: 1 }
      : estimateUsage(messages, text);
    return { text, finishReason: choice.finish_reason, toolCalls: [], usage };
  });
  try {
    // No continuation: a strict JSON schema makes every reply a whole object, so a cut JSON reply
    // is retried (as llm_malformed_output) rather than stitched together.
    const { text, usage } = await runRounds(round, withRoleMarker(input.role, input.messages) as ChatCompletionMessageParam[], { maxContinuations: 0 });
    return { value: parseStructured(text, input.schema), usage };
  } catch (err) {
    throw failureOf(err, input.signal);
  }
}
