import { TaggingClient } from '../../db/connection-failure';

/**
 * The pool's client class that counts the queries it sends, one per round trip to Postgres
 * (BEGIN, SAVEPOINT and COMMIT included, which an ORM query logger may not show). Pass it as
 * `driverOptions.Client` of an ORM used only by the code being counted.
 */
export function countingClient() {
  const counter = { queries: 0 };
  class CountingClient extends TaggingClient {
    // Every pg query form goes through this one method: count, then hand over unchanged.
    override query: TaggingClient['query'] = ((...args: unknown[]) => {
      counter.queries += 1;
      return (TaggingClient.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    }) as TaggingClient['query'];
  }
  return { Client: CountingClient, counter };
}
