import type { StoredEvent, Topic } from '../domain/events';
import type { Health } from '../domain/health';
import type { Page } from '../domain/pagination';
import { pathOf, type Request } from './http-transport';


/** The durable event log over REST, health and the OpenAPI document. */
export function systemApi(request: Request) {
  const events = (topic: Topic, options: { afterSeq?: number; limit?: number } = {}) =>
    request<Page<StoredEvent>>('GET', pathOf('topics', topic, 'events'), { query: options });
  return {
    topics: {
      /** One page of a topic's events after `afterSeq`, oldest first. */
      events,
      /** Every event after `afterSeq`, following pages to the end. */
      async allEvents(topic: Topic, afterSeq = 0): Promise<StoredEvent[]> {
        const all: StoredEvent[] = [];
        for (let cursor: number | undefined = afterSeq; cursor !== undefined; ) {
          const page: Page<StoredEvent> = await events(topic, { afterSeq: cursor, limit: 1_000 });
          all.push(...page.items);
          cursor = page.nextCursor === undefined ? undefined : Number(page.nextCursor);
        }
        return all;
      },
    },
    /** 200 when the API, its database and Temporal are up; the 503 answer throws ForgeApiError. */
    health: () => request<Health>('GET', '/health', { auth: false }),
    openapi: () => request<Record<string, unknown>>('GET', '/openapi.json', { auth: false }),
  };
}
