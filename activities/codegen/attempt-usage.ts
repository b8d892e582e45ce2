import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { addUsage, type Usage } from '../../domain/agents';
import { toActivityFailure } from '../activity-failure';
import { currentActivity } from '../current-activity';
import { metered } from '../llm/usage-meter';

/**
 * Tokens spent by model calls whose activity attempt failed. Temporal retries such an attempt with
 * fresh calls, and without this the failed one's tokens would be missing from the job's usage and
 * budget. A failed attempt records what it spent (keyed by workflow, run, activity and attempt, so writing
 * it twice is harmless); the attempt that succeeds adds the earlier ones to the usage it returns,
 * which the workflow charges against the budget; a final failure carries the total in its details
 * (`spentUsage`), which the workflow adds before it records the job's end.
 */
export function createAttemptUsage(orm: MikroORM) {
  const sumFrom = async (prefix: string): Promise<Usage> => {
    const [row] = await orm.em.fork().execute<Array<Record<string, string>>>(
      `select coalesce(sum((usage->>'promptTokens')::bigint), 0) as p, coalesce(sum((usage->>'completionTokens')::bigint), 0) as c,
              coalesce(sum((usage->>'calls')::bigint), 0) as n
         from llm_attempt_usage where left(key, length(?)) = ?`,
      [prefix, prefix],
    );
    return { promptTokens: Number(row?.p ?? 0), completionTokens: Number(row?.c ?? 0), calls: Number(row?.n ?? 0) };
  };

  return async function charged<T extends { usage: Usage }>(run: () => Promise<T>): Promise<T> {
    const { attempt } = Context.current().info;
    const prefix = `${currentActivity().idempotencyKey}:`;
    const { meter, result } = metered(run);
    try {
      const value = await result;
      return attempt > 1 ? { ...value, usage: addUsage(value.usage, await sumFrom(prefix)) } : value;
    } catch (err) {
      const failure = toActivityFailure(err);
      if (!(failure instanceof ApplicationFailure) || (meter.spent.calls === 0 && attempt === 1)) throw failure;
      if (meter.spent.calls > 0) {
        await orm.em.fork().execute('insert into llm_attempt_usage (key, usage, created_at) values (?, ?::jsonb, now()) on conflict (key) do nothing', [prefix + attempt, JSON.stringify(meter.spent)]);
      }
      const first = failure.details?.[0];
      throw ApplicationFailure.create({
        type: failure.type ?? undefined,
        message: failure.message,
        cause: failure.cause,
        nonRetryable: failure.nonRetryable ?? false,
        ...(failure.nextRetryDelay !== undefined ? { nextRetryDelay: failure.nextRetryDelay } : {}),
        details: [{ ...(typeof first === 'object' && first !== null ? first : {}), spentUsage: await sumFrom(prefix) }],
      });
    }
  };
}
