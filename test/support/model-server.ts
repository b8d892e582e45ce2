import type { LlmConfig } from '../../domain/config';
import { type ModelServer, OFFLINE_MODEL, startModelServer as startServer } from '../../scripts/model-server/server';

export type { ModelServer } from '../../scripts/model-server/server';
export type { ScriptStep } from '../../scripts/model-server/script-queue';

/**
 * The one fake model of the test suites: the real offline model server, in-process on a free
 * port, in scripted mode. `script(...)` queues faults or replies for the next matching requests,
 * `requests()` counts and logs what arrived, `reset()` clears both; close it in afterAll.
 */
export function startModelServer(options: { latencyMs?: number; tokenDelayMs?: number } = {}): Promise<ModelServer> {
  return startServer({ port: 0, control: true, ...options });
}

/** LLM settings pointing at a test model server; `timeoutMs` short so hang tests finish fast. */
export function llmConfigFor(server: Pick<ModelServer, 'url'>, timeoutMs = 5_000, historyTokens = 4_000): LlmConfig {
  return {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'test-key',
    LLM_MODEL_ROUTER: OFFLINE_MODEL,
    LLM_MODEL_PLANNER: OFFLINE_MODEL,
    LLM_MODEL_CODER: OFFLINE_MODEL,
    LLM_MODEL_FIXER: OFFLINE_MODEL,
    LLM_MODEL_SUMMARIZER: OFFLINE_MODEL,
    LLM_HISTORY_TOKENS: historyTokens,
    LLM_TIMEOUT_MS: timeoutMs,
    MODEL_PORT: 0,
  };
}
