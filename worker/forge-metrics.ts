import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import type { LlmRole } from '../domain/llm-protocol';
import type { Usage } from '../domain/agents';

/** The activities that are one model call each, and the role they call for. */
export const llmActivities: Record<string, LlmRole> = { classifyIntent: 'router', planChanges: 'planner', generateFile: 'coder', generateFiles: 'coder', fixFiles: 'fixer' };
/** The activities that build or check tenant code (the builder's work). */
const buildActivities = new Set(['typeCheckFiles', 'buildVersion']);

/** A failure's stable type (domain/errors.ts) or the error's class name: bounded label values. */
const failureType = (error: unknown): string =>
  error instanceof ApplicationFailure ? (error.type ?? 'ApplicationFailure') : error instanceof Error ? error.name : 'unknown';

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * Forge's own worker metrics, emitted through the Temporal Runtime's meter, so they come out of the
 * same Prometheus endpoint as the SDK's (WORKER_METRICS_ADDRESS, prefix `forge_`; without an
 * exporter the meter is a no-op). They are measured at the wiring layer, around activities, so no
 * activity body changes and the builder process can wrap its activities the same way.
 */
export function createForgeMetrics(meter: MetricMeter) {
  const llmCalls = meter.createCounter('forge_llm_calls', 'calls', 'Model-calling activity attempts by role and outcome (ok or failure type)');
  const llmTokens = meter.createCounter('forge_llm_tokens', 'tokens', 'Tokens by role and kind (prompt, completion)');
  const llmLatency = meter.createHistogram('forge_llm_latency', 'float', 's', 'Model-calling activity duration by role and outcome');
  const builds = meter.createCounter('forge_builds', 'builds', 'Builds and compile checks by activity and outcome');
  const buildDuration = meter.createHistogram('forge_build_duration', 'float', 's', 'Build and compile check duration by activity and outcome');
  const previewsLive = meter.createGauge('forge_previews_live', 'int', 'previews', 'Previews live on the platform (read from the database)');

  const timed = (run: (...args: never[]) => Promise<unknown>, done: (outcome: string, seconds: number, result?: unknown) => void) =>
    async (...args: never[]) => {
      const started = performance.now();
      try {
        const result = await run(...args);
        done('ok', (performance.now() - started) / 1000, result);
        return result;
      } catch (error) {
        done(failureType(error), (performance.now() - started) / 1000);
        throw error;
      }
    };

  return {
    /** The same activities, measured: model calls by role, builds by activity. Others pass through. */
    instrument<T extends Activities>(activities: T): T {
      return Object.fromEntries(Object.entries(activities).map(([name, run]) => {
        const role = llmActivities[name];
        if (role) {
          return [name, timed(run, (outcome, seconds, result) => {
            llmCalls.add(1, { role, outcome });
            llmLatency.record(seconds, { role, outcome });
            const usage = (result as { usage?: Usage } | undefined)?.usage;
            if (usage) {
              llmTokens.add(usage.promptTokens, { role, kind: 'prompt' });
              llmTokens.add(usage.completionTokens, { role, kind: 'completion' });
            }
          })];
        }
        if (buildActivities.has(name)) {
          return [name, timed(run, (outcome, seconds) => {
            builds.add(1, { activity: name, outcome });
            buildDuration.record(seconds, { activity: name, outcome });
          })];
        }
        return [name, run];
      })) as T;
    },
    setPreviewsLive: (count: number) => previewsLive.set(count),
  };
}
export type ForgeMetrics = ReturnType<typeof createForgeMetrics>;
