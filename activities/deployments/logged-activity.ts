import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Topic } from '../../domain/events';
import { BuildError } from '../builds/build-app';
import { LogTail } from '../builds/log-tail';
import type { DeltaPublisher } from '../events/publish-deltas';

export interface ActivityLog {
  line: (text: string) => void;
  tail: () => string[];
  heartbeat: () => void;
  signal: AbortSignal;
}

/** What a failed build or health check carries to its workflow: the tail the row and event show. */
export interface FailureDetails {
  logTail: string[];
}

const HEARTBEAT_MS = 2_000;

/**
 * Runs a long builder activity: every log line goes out live (a `log` delta on the topic) and into
 * a tail; the activity heartbeats on a timer, so a builder that dies is noticed within the
 * heartbeat timeout and the build is retried elsewhere, while a cancelled one stops promptly.
 * A build verdict (BuildError) becomes a final ApplicationFailure carrying the log tail.
 */
export async function loggedActivity<T>(publisher: DeltaPublisher, topic: Topic, stage: string, work: (log: ActivityLog) => Promise<T>): Promise<T> {
  const context = Context.current();
  const tail = new LogTail();
  const log: ActivityLog = {
    line: (text) => {
      tail.push(text);
      publisher.publish(topic, { type: 'log', data: { stage, line: text } });
    },
    tail: () => tail.get(),
    heartbeat: () => context.heartbeat(),
    signal: context.cancellationSignal,
  };
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  try {
    return await work(log);
  } catch (err) {
    if (err instanceof BuildError) {
      log.line(err.message);
      throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [{ logTail: tail.get() } satisfies FailureDetails] });
    }
    throw err;
  } finally {
    clearInterval(timer);
    await publisher.flush();
  }
}
