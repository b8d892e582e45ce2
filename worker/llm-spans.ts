import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Usage } from '../domain/agents';
import { llmActivities } from './forge-metrics';

const tracer = trace.getTracer('forge-worker');

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * A `llm <role>` span inside each model-calling activity's span (the Temporal interceptor's
 * RunActivity), with the tokens it used: the last link of a request's trace. A no-op while no
 * tracer provider is registered (telemetry/tracing.ts).
 */
export function traceLlmCalls<T extends Activities>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, run]) => {
    const role = llmActivities[name];
    if (!role) return [name, run];
    return [name, (...args: never[]) => tracer.startActiveSpan(`llm ${role}`, { attributes: { 'gen_ai.operation.name': 'chat', 'forge.llm.role': role } }, async (span) => {
      try {
        const result = await run(...args);
        const usage = (result as { usage?: Usage } | undefined)?.usage;
        if (usage) span.setAttributes({ 'gen_ai.usage.input_tokens': usage.promptTokens, 'gen_ai.usage.output_tokens': usage.completionTokens });
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    })];
  })) as T;
}
