import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, OpenAIError } from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { estimateUsage, type Round, type RoundResult } from './completion-rounds';

/**
 * One streamed model call. The SDK's timeout only covers the wait for the response headers, so a
 * stream that goes silent is cut by an idle timer here; a stream that breaks or ends without a
 * finish reason counts as a dropped connection, never as a complete reply.
 */

export interface StreamRoundOptions {
  params: Omit<ChatCompletionCreateParamsStreaming, 'messages' | 'stream' | 'stream_options'>;
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onDelta?: ((text: string) => void) | undefined;
}

export function streamRound(client: OpenAI, options: StreamRoundOptions): Round {
  return async (messages) => {
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    if (options.signal?.aborted) forwardAbort();
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, options.idleTimeoutMs);
    };
    try {
      const stream = await client.chat.completions.create(
        { ...options.params, messages, stream: true, stream_options: { include_usage: true } },
        { signal: controller.signal },
      );
      rearm();
      let text = '';
      let finishReason: string | null = null;
      let usage: RoundResult['usage'] | undefined;
      const toolCalls: RoundResult['toolCalls'] = [];
      for await (const chunk of stream) {
        rearm();
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, calls: 1 };
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.delta.content) {
          text += choice.delta.content;
          options.onDelta?.(choice.delta.content);
        }
        for (const call of choice.delta.tool_calls ?? []) {
          const slot = (toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
          if (call.id) slot.id = call.id;
          slot.name += call.function?.name ?? '';
          slot.arguments += call.function?.arguments ?? '';
        }
        finishReason = choice.finish_reason ?? finishReason;
      }
      if (!finishReason) throw new APIConnectionError({ message: 'The model stream ended before the reply was complete' });
      return { text, finishReason, toolCalls: toolCalls.filter(Boolean), usage: usage ?? estimateUsage(messages, text) };
    } catch (err) {
      if (stalled) throw new APIConnectionTimeoutError({ message: `The model stream was silent for ${options.idleTimeoutMs} ms` });
      if (options.signal?.aborted || err instanceof OpenAIError) throw err;
      // The socket broke mid-stream (undici's "terminated" and the like).
      throw new APIConnectionError({ message: 'The model stream was cut off', cause: err instanceof Error ? err : undefined });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forwardAbort);
    }
  };
}
