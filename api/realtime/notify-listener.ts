import pg from 'pg';
import type { Logger } from 'pino';

export interface NotifyListenerOptions {
  connectionString: string;
  channels: readonly string[];
  /** Shown in pg_stat_activity, so an operator (or a test) can find this node's listener. */
  applicationName: string;
  onNotice: (channel: string, payload: string) => void;
  /** After a lost connection is back: notices sent meanwhile were missed and must be re-read. */
  onReconnect: () => void;
  logger: Logger;
}

export interface NotifyListener {
  close(): Promise<void>;
}

const maxBackoffMs = 5_000;

/**
 * LISTENs on a dedicated connection (a pooled one would be handed to other queries and lose its
 * LISTEN). A broken connection is replaced with backoff; the first connect must succeed, so a
 * node that cannot relay fails at startup instead of serving sockets that never receive.
 */
export async function startNotifyListener(options: NotifyListenerOptions): Promise<NotifyListener> {
  const { logger } = options;
  let current: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName, keepAlive: true });
    client.on('notification', (message) => options.onNotice(message.channel, message.payload ?? ''));
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of options.channels) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    return client;
  };

  const lost = (client: pg.Client, err: Error) => {
    if (client !== current) return;
    current = null;
    client.end().catch(() => {});
    if (closed) return;
    logger.warn({ err }, 'NOTIFY listener lost its connection; reconnecting');
    reconnect(100);
  };

  const reconnect = (delayMs: number) => {
    retry = setTimeout(async () => {
      try {
        const client = await connect();
        if (closed) return void client.end().catch(() => {});
        current = client;
        logger.info('NOTIFY listener reconnected');
        options.onReconnect();
      } catch (err) {
        logger.warn({ err }, 'NOTIFY listener reconnect failed');
        if (!closed) reconnect(Math.min(delayMs * 2, maxBackoffMs));
      }
    }, delayMs);
  };

  current = await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = current;
      current = null;
      await client?.end().catch(() => {});
    },
  };
}
