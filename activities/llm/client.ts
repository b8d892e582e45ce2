import OpenAI from 'openai';
import type { LlmConfig } from '../../domain/config';
import type { LlmRole } from '../../domain/llm-protocol';

/**
 * One OpenAI client per worker process. With no API key it talks to the offline model server
 * (`npm run model`, MODEL_PORT), so the same code path runs with or without a real model.
 */
export function createLlmClient(config: LlmConfig): OpenAI {
  const offline = !config.OPENAI_API_KEY;
  return new OpenAI({
    // The offline server accepts any non-empty key; a real endpoint gets the configured one.
    apiKey: config.OPENAI_API_KEY ?? 'forge-offline',
    baseURL: config.OPENAI_BASE_URL ?? (offline ? `http://127.0.0.1:${config.MODEL_PORT}/v1` : undefined),
    // So Temporal owns retries: backoff, attempts and their history live in the activity's retry policy.
    maxRetries: 0,
    timeout: config.LLM_TIMEOUT_MS,
  });
}

const modelKeys = {
  router: 'LLM_MODEL_ROUTER',
  planner: 'LLM_MODEL_PLANNER',
  coder: 'LLM_MODEL_CODER',
  fixer: 'LLM_MODEL_FIXER',
  summarizer: 'LLM_MODEL_SUMMARIZER',
} as const satisfies Record<LlmRole, keyof LlmConfig>;

export const modelForRole = (config: LlmConfig, role: LlmRole): string => config[modelKeys[role]];
