import { z } from 'zod';
import { CONTINUE_PROMPT, type LlmRole, readRoleMarker } from '../../domain/llm-protocol';

/** The part of the chat completions request body the offline server understands; other keys are ignored. */

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(TextPart)]).nullish(),
  tool_calls: z.array(ToolCall).nullish(),
  tool_call_id: z.string().nullish(),
});

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional() }) }),
]);

export const ChatRequestBody = z.object({
  model: z.string().min(1),
  messages: z.array(Message).min(1, 'messages must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  response_format: ResponseFormat.nullish(),
  tools: z.array(z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })).nullish(),
});
export type ChatRequestBody = z.infer<typeof ChatRequestBody>;

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  toolCallId?: string;
}

/** What the rule-based model and the fault machinery see of one request. */
export interface ChatRequest {
  role: LlmRole | undefined;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  wantsJson: boolean;
  tools: string[];
  /** Set when the request asks to continue a reply cut by the length limit. */
  continuation?: { partial: string };
}

const text = (content: z.infer<typeof Message>['content']) => (typeof content === 'string' ? content : (content ?? []).map((p) => p.text).join(''));

export function toChatRequest(body: ChatRequestBody): ChatRequest {
  const messages: ChatMessage[] = body.messages.map((m) => ({
    role: m.role,
    content: text(m.content),
    toolCalls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
    ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}),
  }));
  const [assistant, user] = messages.slice(-2);
  const continues = messages.length > 2 && assistant?.role === 'assistant' && user?.role === 'user' && user.content.trim() === CONTINUE_PROMPT;
  return {
    role: readRoleMarker(messages),
    messages: continues ? messages.slice(0, -2) : messages,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    wantsJson: body.response_format?.type === 'json_schema' || body.response_format?.type === 'json_object',
    tools: (body.tools ?? []).map((t) => t.function.name),
    ...(continues ? { continuation: { partial: assistant.content } } : {}),
  };
}

/** About four characters per token, as OpenAI's own rule of thumb. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export const promptTokens = (request: ChatRequest) =>
  estimateTokens(request.messages.map((m) => m.content).join('\n')) + (request.continuation ? estimateTokens(request.continuation.partial) : 0);
