import pg from 'pg';

/**
 * A connection that could not be opened (refused, reset, timed out) is tagged where it fails,
 * in the client's own `connect`: the pool wraps such errors (its timeout error keeps ours as
 * `cause`) and MikroORM copies their fields, so the tag survives and nobody parses messages.
 */
const UNREACHABLE = 'forgeDatabaseUnreachable';

const tag = (err: Error) => Object.assign(err, { [UNREACHABLE]: true });

/** The pool's client class (`driverOptions.Client`): pg.Client whose failed connects are tagged. */
export class TaggingClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error | null, client?: pg.Client) => void): void;
  override connect(callback?: (err: Error | null, client?: pg.Client) => void): Promise<pg.Client> | void {
    if (!callback) return super.connect().catch((err: Error) => Promise.reject(tag(err)));
    super.connect((err: Error | null) => callback(err ? tag(err) : null, this));
  }
}

/**
 * SQLSTATEs that mean the server cannot serve us now rather than that the query is wrong: class 08
 * (connection exception), 57P01-57P03 (shutting down, crash recovery, starting) and 53300 (too
 * many connections).
 */
const unavailableStates = /^(08...|57P0[123]|53300)$/;

/** True when an error (or one of its causes) says PostgreSQL is unreachable, not that a query failed. */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { [UNREACHABLE]: tagged, code, sqlState } = e as Record<string, unknown>;
    if (tagged === true) return true;
    const state = typeof sqlState === 'string' ? sqlState : code;
    if (typeof state === 'string' && unavailableStates.test(state)) return true;
  }
  return false;
}
