import { ApplicationFailure } from '@temporalio/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ErrorCode } from '../../domain/errors';
import { NewEvent, Topic } from '../../domain/events';
import { appendEvents } from '../../db/repositories/event-log';

export const AppendEventsInput = z.object({ topic: Topic, events: NewEvent.array() });
export type AppendEventsInput = z.infer<typeof AppendEventsInput>;

/**
 * Activities that write the durable event log. Each call works on its own EntityManager fork;
 * the events' keys make a retried append a no-op, so Temporal may retry it freely.
 */
export function createEventActivities(deps: { orm: MikroORM }) {
  return {
    async appendEvents(input: AppendEventsInput) {
      const parsed = AppendEventsInput.safeParse(input);
      // A malformed append is a workflow bug: retrying cannot fix it.
      if (!parsed.success) throw ApplicationFailure.nonRetryable(z.prettifyError(parsed.error), ErrorCode.invalidInput);
      return appendEvents(deps.orm.em.fork(), parsed.data.topic, parsed.data.events);
    },
  };
}
