import type { TokenPair } from '../domain/accounts';
import type { Topic } from '../domain/events';
import { accountsApi } from './accounts-api';
import { agentsApi } from './agents-api';
import { deliveryApi } from './delivery-api';
import { createHttpTransport } from './http-transport';
import { createLiveConnection, type WatchOptions } from './live-connection';
import { projectsApi } from './projects-api';
import type { RetryOptions } from './retry-policy';
import { systemApi } from './system-api';
import { createTokenSession } from './token-session';

export interface ForgeClientOptions {
  /** The API's origin, e.g. `http://127.0.0.1:4000` (REST under `/api/v1`, socket.io under `/socket.io`). */
  baseUrl: string;
  accessToken?: string;
  refreshToken?: string;
  /** Called with every new token pair (sign-in, refresh), e.g. to store it. */
  onTokens?: (tokens: TokenPair) => void;
  /** Defaults to the global fetch (browsers, Node 18+). */
  fetch?: typeof fetch;
  /** Retries of REST calls that met a lost connection or a 503 (each POST keeps its Idempotency-Key). */
  retry?: RetryOptions;
  /** Reconnect backoff of the live connection. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
}

/**
 * The typed Forge SDK for browsers and Node: every REST route of DESIGN.md, and `watch` for a
 * topic's live events with exact resume. Errors are `ForgeApiError { status, code, message, details }`.
 */
export function createForgeClient(options: ForgeClientOptions) {
  const origin = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const refreshWith = (refreshToken: string) => request<TokenPair>('POST', '/auth/refresh', { body: { refreshToken }, auth: false });
  const session = createTokenSession({ accessToken: options.accessToken ?? null, refreshToken: options.refreshToken ?? null }, refreshWith, options.onTokens);
  const request = createHttpTransport(`${origin}/api/v1`, session, fetchImpl, options.retry);
  const live = createLiveConnection({ url: origin, path: '/socket.io', session, ...options.reconnect });

  return {
    ...accountsApi(request, session),
    ...projectsApi(request),
    ...agentsApi(request),
    ...deliveryApi(request),
    ...systemApi(request),
    /** The same job commands as `jobs.*` and `sessions.sendMessage`, sent over the live connection. */
    live: { command: live.command },
    /**
     * Every durable event of `topic` after `afterSeq`, exactly once and in order, across
     * reconnects, API restarts and token refreshes; `onDelta` gets live-only updates.
     */
    watch: (topic: Topic, watchOptions: WatchOptions) => live.watch(topic, watchOptions),
    get tokens() {
      return { accessToken: session.accessToken, refreshToken: session.refreshToken };
    },
    /** Closes the live connection (every watch stops). */
    close: () => live.close(),
  };
}
export type ForgeClient = ReturnType<typeof createForgeClient>;
