import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DeliveryFailureType } from '../../domain/errors';
import type { Topic } from '../../domain/events';
import { BuildError } from '../builds/build-app';
import { LogTail } from '../builds/log-tail';
import { SandboxUnavailableError } from '../builds/sandbox-policy';
import type { DeltaPublisher } from '../events/publish-deltas';

export interface ActivityLog {
  line: (text: string) => void;
  tail: () => string[];
  /** Names the step now running: the heartbeat details the Temporal UI (and tests) see. */
  step: (name: string) => void;
  heartbeat: () => void;
  signal: AbortSignal;
}

/** What a failed build or health check carries to its workflow: the tail the row and event show. */
export interface FailureDetails {
  logTail: string[];
}

/** Where lines also go live: a `log` delta on the topic (agents side only: a builder has no database). */
export interface LiveLog {
  publisher: DeltaPublisher;
  topic: Topic;
}

const HEARTBEAT_MS = 2_000;

/**
 * Runs a long build or provider activity: every log line goes into a storable, capped tail (and
 * out live when there is a LiveLog); the activity heartbeats on a timer with the step it is in,
 * so a builder that dies is noticed within the heartbeat timeout and the build is retried
 * elsewhere, while a cancelled one stops promptly. A build verdict (BuildError) and a missing
 * sandbox become final ApplicationFailures carrying the log tail.
 */
export async function loggedActivity<T>(live: LiveLog | null, stage: string, work: (log: ActivityLog) => Promise<T>): Promise<T> {
  const context = Context.current();
  const tail = new LogTail();
  let step = stage;
  const log: ActivityLog = {
    line: (text) => {
      tail.push(text);
      live?.publisher.publish(live.topic, { type: 'log', data: { stage, line: text } });
    },
    tail: () => tail.get(),
    step: (name) => {
      step = name;
      context.heartbeat({ step });
    },
    heartbeat: () => context.heartbeat({ step }),
    signal: context.cancellationSignal,
  };
  const timer = setInterval(() => context.heartbeat({ step }), HEARTBEAT_MS);
  try {
    return await work(log);
  } catch (err) {
    const verdict = err instanceof BuildError ? err.code : err instanceof SandboxUnavailableError ? DeliveryFailureType.sandboxUnavailable : null;
    if (verdict) {
      log.line((err as Error).message);
      throw ApplicationFailure.create({ type: verdict, message: (err as Error).message, nonRetryable: true, details: [{ logTail: tail.get() } satisfies FailureDetails] });
    }
    throw err;
  } finally {
    clearInterval(timer);
    await live?.publisher.flush();
  }
}
