import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from './openai-error';

/** Writes one chat completion the way OpenAI does: a JSON body, or SSE chunks ending in `[DONE]`. */

export interface Completion {
  id: string;
  model: string;
  created: number;
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface StreamOptions {
  includeUsage: boolean;
  tokenDelayMs: number;
  /** Destroys the socket after this many content chunks: a connection dropped mid-stream. */
  cutAfterChunks?: number;
  signal: AbortSignal;
}

/** Roughly one token per chunk, like a real model. */
const CHUNK_CHARS = 4;

const toolCallsOf = (c: Completion) =>
  c.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } }));

export function writeCompletion(res: ServerResponse, c: Completion): void {
  const message = { role: 'assistant', content: c.content, refusal: null, ...(c.toolCalls.length ? { tool_calls: toolCallsOf(c) } : {}) };
  sendJson(res, 200, {
    id: c.id,
    object: 'chat.completion',
    created: c.created,
    model: c.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: c.finishReason }],
    usage: c.usage,
  });
}

/** Drops the connection once what was sent has left (an SSE comment line flushes it), as a broken network would. */
async function cut(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write(':\n\n', () => resolve()));
  res.socket?.destroy();
}

export async function writeCompletionStream(res: ServerResponse, c: Completion, options: StreamOptions): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (choices: unknown[], usage?: Completion['usage']) =>
    res.write(
      `data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, choices, ...(options.includeUsage ? { usage: usage ?? null } : {}) })}\n\n`,
    );
  const delta = (d: Record<string, unknown>, finish: string | null = null) => send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  delta({ role: 'assistant', content: '', refusal: null });
  const text = c.content ?? '';
  for (let i = 0, chunks = 0; i < text.length; i += CHUNK_CHARS, chunks++) {
    if (options.signal.aborted) return;
    if (chunks === options.cutAfterChunks) return cut(res);
    delta({ content: text.slice(i, i + CHUNK_CHARS) });
    if (options.tokenDelayMs) await sleep(options.tokenDelayMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
  if (options.cutAfterChunks !== undefined) return cut(res);
  c.toolCalls.forEach((t, index) => {
    delta({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] });
    for (let i = 0; i < t.arguments.length; i += CHUNK_CHARS * 4) {
      delta({ tool_calls: [{ index, function: { arguments: t.arguments.slice(i, i + CHUNK_CHARS * 4) } }] });
    }
  });
  delta({}, c.finishReason);
  if (options.includeUsage) send([], c.usage);
  res.end('data: [DONE]\n\n');
}
