export { classifyLlmError, failureOf, retryAfterMs } from './classify-error';
export { createLlmClient, modelForRole } from './client';
export { type CompletionResult, type LlmTool, MAX_CONTINUATIONS, MAX_TOOL_ROUNDS } from './completion-rounds';
export { streamCompletion, type StreamCompletionInput } from './stream-completion';
export { parseStructured, structuredCompletion, type StructuredCompletionInput } from './structured-completion';
