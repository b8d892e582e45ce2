import { ErrorCode, type ErrorBody } from '../domain/errors';
import { IDEMPOTENCY_HEADER } from '../domain/idempotency';
import { ForgeApiError } from './forge-api-error';
import { isRetryable, pause, retryDelayMs, type RetryOptions } from './retry-policy';
import type { TokenSession } from './token-session';

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** false for the public routes (signup, login, refresh, health); default true. */
  auth?: boolean;
}

export type Request = <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;

/** A path from segments, each percent-encoded (so ids and topics like `job:<uuid>` are safe). */
export const pathOf = (...segments: Array<string | number>) => segments.map((s) => `/${encodeURIComponent(String(s))}`).join('');

function urlOf(apiUrl: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  const search = params.size > 0 ? `?${params}` : '';
  return `${apiUrl}${path}${search}`;
}

async function errorOf(response: Response): Promise<ForgeApiError> {
  const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  if (body?.error?.code) return new ForgeApiError(response.status, body.error.code, body.error.message, body.error.details);
  // Not the API's own answer (a proxy's 502, say).
  const code = response.status >= 500 ? ErrorCode.unavailable : ErrorCode.internal;
  return new ForgeApiError(response.status, code, `HTTP ${response.status} ${response.statusText}`);
}

/**
 * Every authenticated POST creates or commands something: it carries an Idempotency-Key, one per
 * call and the same on each retry, so the API runs it once however often it is sent.
 */
const needsKey = (method: string, options: RequestOptions) => method === 'POST' && options.auth !== false;

/**
 * JSON over fetch with the access token. A 401 on an authenticated call triggers one refresh
 * (shared by concurrent callers) and one retry; a second 401 is the caller's. A lost connection,
 * a 503 or a 409 `idempotency_in_progress` is retried (bounded, with backoff, honouring
 * Retry-After) when repeating is safe: reads, PUT/PATCH/DELETE, and POSTs with their key.
 */
export function createHttpTransport(apiUrl: string, session: TokenSession, fetchImpl: typeof fetch, retry: RetryOptions = {}): Request {
  const send = async (method: string, path: string, options: RequestOptions, token: string | null, key: string | undefined) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth !== false && token) headers.authorization = `Bearer ${token}`;
    if (key !== undefined) headers[IDEMPOTENCY_HEADER] = key;
    try {
      return await fetchImpl(urlOf(apiUrl, path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (err) {
      throw new ForgeApiError(0, ErrorCode.unavailable, `Could not reach the API: ${(err as Error).message}`);
    }
  };

  const once = async <T>(method: string, path: string, options: RequestOptions, key: string | undefined): Promise<T> => {
    const token = session.accessToken;
    let response = await send(method, path, options, token, key);
    if (response.status === 401 && options.auth !== false && (await session.refreshAfter(token))) {
      response = await send(method, path, options, session.accessToken, key);
    }
    if (!response.ok) throw Object.assign(await errorOf(response), { retryAfter: response.headers.get('retry-after') });
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };

  return async <T>(method: string, path: string, options: RequestOptions = {}): Promise<T> => {
    const key = needsKey(method, options) ? globalThis.crypto.randomUUID() : undefined;
    const repeatable = method !== 'POST' || key !== undefined;
    const attempts = repeatable ? Math.max(1, retry.attempts ?? 4) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await once<T>(method, path, options, key);
      } catch (err) {
        if (!(err instanceof ForgeApiError) || !isRetryable(err) || attempt >= attempts) throw err;
        await pause(retryDelayMs(retry, attempt, (err as { retryAfter?: string | null }).retryAfter ?? null));
      }
    }
  };
}
