import type { TokenPair } from '../domain/accounts';

export interface Tokens {
  accessToken: string | null;
  refreshToken: string | null;
}

/**
 * The client's tokens and the one way to renew them. Refresh tokens rotate and a spent one
 * revokes its whole sign-in, so concurrent 401s share one refresh, and a caller whose token was
 * already replaced just retries with the new one.
 */
export function createTokenSession(initial: Tokens, refreshWith: (refreshToken: string) => Promise<TokenPair>, onTokens?: (tokens: TokenPair) => void) {
  let tokens = { ...initial };
  let refreshing: Promise<boolean> | null = null;

  const set = (pair: TokenPair) => {
    tokens = { ...pair };
    onTokens?.(pair);
  };

  return {
    get accessToken() {
      return tokens.accessToken;
    },
    get refreshToken() {
      return tokens.refreshToken;
    },
    set,
    clear() {
      tokens = { accessToken: null, refreshToken: null };
    },

    /** Renews the tokens after `stale` was refused. False when there is nothing to renew with or the API said no. */
    refreshAfter(stale: string | null): Promise<boolean> {
      if (refreshing) return refreshing;
      if (tokens.accessToken !== stale) return Promise.resolve(tokens.accessToken !== null);
      const refreshToken = tokens.refreshToken;
      if (!refreshToken) return Promise.resolve(false);
      refreshing = refreshWith(refreshToken)
        .then((pair) => (set(pair), true), () => false)
        .finally(() => { refreshing = null; });
      return refreshing;
    },

    /** Waits for a refresh in progress, so a reconnect does not present the token being replaced. */
    settled(): Promise<unknown> {
      return refreshing ?? Promise.resolve();
    },
  };
}
export type TokenSession = ReturnType<typeof createTokenSession>;
