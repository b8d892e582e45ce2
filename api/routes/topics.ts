import { z } from 'zod';
import { readEvents } from '../../db/repositories/event-log';
import { StoredEvent, Topic } from '../../domain/events';
import { Page } from '../../domain/pagination';
import { PG_INT_MAX } from '../../domain/value-checks';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';
import { authorizeTopic } from '../realtime/topic-access';

const TopicParams = z.object({ topic: Topic });
const EventsQuery = z.object({
  afterSeq: z.coerce.number().int().nonnegative().max(PG_INT_MAX).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
});

export const topicRoutes = (_deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/topics/:topic/events',
    summary: "A topic's durable events after `afterSeq`, oldest first (the REST twin of a socket subscription)",
    tag: 'events',
    params: TopicParams,
    query: EventsQuery,
    response: Page(StoredEvent),
    handler: async ({ params, query }, req) => {
      await authorizeTopic(req.em, req.auth!.userId, params.topic);
      const items = await readEvents(req.em, params.topic, query.afterSeq, query.limit);
      // A full page may have more behind it: continue with afterSeq = nextCursor.
      return items.length === query.limit ? { items, nextCursor: String(items.at(-1)!.seq) } : { items };
    },
  }),
];
