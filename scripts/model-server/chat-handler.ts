import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChatRequest, ChatRequestBody, estimateTokens, promptTokens, toChatRequest } from './chat-request';
import { type Completion, writeCompletion, writeCompletionStream } from './chat-reply';
import { sendError } from './openai-error';
import { ruleModel } from './rule-model';
import type { ScriptQueue } from './script-queue';

/**
 * POST /v1/chat/completions: checks the request like OpenAI (key, body, model), applies a scripted
 * step if one matches, and answers with the scripted or the rule-based reply, cut at the length
 * limit when it is too long. Cut replies are remembered so a "continue" request gets the rest.
 */

export interface ChatHandlerOptions {
  models: readonly string[];
  latencyMs: number;
  tokenDelayMs: number;
  queue: ScriptQueue;
}

type Step = ReturnType<ScriptQueue['take']>;

/** Past this many remembered cuts, the oldest are forgotten; a rule-based reply can always be recomputed. */
const MAX_REMEMBERED_CUTS = 500;

export function createChatHandler({ models, latencyMs, tokenDelayMs, queue }: ChatHandlerOptions) {
  const cuts = new Map<string, string>();
  let counter = 0;

  function compose(request: ChatRequest, step: Step, model: string): Completion {
    const id = `chatcmpl-forge-${++counter}`;
    const head = { id, model, created: Math.floor(Date.now() / 1000) };
    const scripted = step?.reply !== undefined;
    const reply = scripted ? { content: typeof step.reply === 'string' ? step.reply : JSON.stringify(step.reply) } : ruleModel(request);
    const usage = (completionText: string) => {
      const prompt = promptTokens(request);
      const completion = estimateTokens(completionText);
      return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    };
    if ('toolCalls' in reply) {
      const toolCalls = reply.toolCalls.map((t, i) => ({ id: `call_${counter}_${i}`, ...t }));
      return { ...head, content: null, toolCalls, finishReason: 'tool_calls', usage: usage(toolCalls.map((t) => t.name + t.arguments).join('')) };
    }
    // A continuation sends back what it already has; the reply is the rest of the full text.
    const partial = request.continuation?.partial ?? '';
    const full = scripted ? partial + reply.content : (cuts.get(partial) ?? reply.content);
    const text = full.startsWith(partial) ? full.slice(partial.length) : full;
    let sent = text;
    let finishReason: Completion['finishReason'] = 'stop';
    if (step?.fault === 'malformed_json') sent = text.slice(0, Math.max(1, Math.floor(text.length / 2))) || '{';
    if (step?.fault === 'length') {
      sent = text.slice(0, Math.ceil(text.length / 2));
      finishReason = 'length';
    }
    if (request.maxTokens !== undefined && sent.length > request.maxTokens * 4) {
      sent = sent.slice(0, request.maxTokens * 4);
      finishReason = 'length';
    }
    if (finishReason === 'length') {
      cuts.set(partial + sent, full);
      if (cuts.size > MAX_REMEMBERED_CUTS) cuts.delete(cuts.keys().next().value!);
    }
    return { ...head, content: sent, toolCalls: [], finishReason, usage: usage(sent) };
  }

  return async function handleChat(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const parsed = ChatRequestBody.safeParse(body);
    const request = parsed.success ? toChatRequest(parsed.data) : undefined;
    const record = queue.record({
      role: request?.role ?? null,
      model: parsed.data?.model ?? null,
      stream: request?.stream ?? false,
      continuation: request?.continuation !== undefined,
      fault: null,
    });
    const refuse = (status: number, error: Parameters<typeof sendError>[2], headers?: Record<string, string>) => {
      record.status = status;
      sendError(res, status, error, headers);
    };
    if (!/^Bearer\s+\S+/.test(req.headers.authorization ?? '')) {
      return refuse(401, { message: 'Incorrect API key provided: the Authorization header needs "Bearer <key>".', type: 'invalid_request_error', code: 'invalid_api_key' });
    }
    if (!parsed.success || !request) {
      const issue = parsed.error?.issues[0];
      return refuse(400, { message: issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid request', type: 'invalid_request_error', code: null, param: issue?.path.join('.') ?? null });
    }
    const model = parsed.data.model;
    if (!models.includes(model)) {
      return refuse(404, { message: `The model '${model}' does not exist. This server offers: ${models.join(', ')}.`, type: 'invalid_request_error', code: 'model_not_found' });
    }
    const step = queue.take(request.role);
    record.fault = step?.fault ?? null;
    const closed = new AbortController();
    res.on('close', () => {
      closed.abort();
      if (!res.writableFinished && step?.fault !== 'cut_stream') record.clientClosed = true;
    });
    if (latencyMs) await sleep(latencyMs, undefined, { signal: closed.signal }).catch(() => undefined);
    if (closed.signal.aborted) return;
    switch (step?.fault) {
      case 'rate_limit':
        return refuse(429, { message: 'Rate limit reached. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' }, { 'retry-after': String(step.retryAfterSeconds) });
      case 'server_error':
        return refuse(500, { message: 'The server had an error while processing your request.', type: 'server_error', code: null });
      case 'unauthorized':
        return refuse(401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' });
      case 'bad_request':
        return refuse(400, { message: "This model's maximum context length was exceeded.", type: 'invalid_request_error', code: 'context_length_exceeded' });
      case 'hang':
        return; // Never answers: the client's timeout (or the server closing) ends the connection.
    }
    const completion = compose(request, step, model);
    const cut = step?.fault === 'cut_stream';
    if (!request.stream && cut) return void req.socket.destroy();
    record.status = 200;
    if (!request.stream) return writeCompletion(res, completion);
    await writeCompletionStream(res, completion, { includeUsage: request.includeUsage, tokenDelayMs: step?.tokenDelayMs ?? tokenDelayMs, signal: closed.signal, ...(cut ? { cutAfterChunks: 3 } : {}) });
  };
}
