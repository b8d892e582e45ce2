import { ApplicationFailure } from '@temporalio/common';
import { DeliveryFailureType } from '../../domain/errors';
import { OutboundRefused, outboundRequest, type OutboundResponse } from './outbound-request';

export interface ProviderResponse<T> {
  status: number;
  body: T;
}

export interface ProviderRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Statuses the caller handles itself (e.g. 404 on a delete that already happened). */
  accept?: number[];
  timeoutMs?: number;
}

/** Rate limits and outages: Temporal retries the activity, after the provider's own hint when it gives one. */
export function providerUnavailable(provider: string, message: string, retryAfterSeconds?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: DeliveryFailureType.providerUnavailable,
    message: `${provider}: ${message}`,
    ...(retryAfterSeconds && retryAfterSeconds > 0 ? { nextRetryDelay: `${Math.min(retryAfterSeconds, 300)} seconds` } : {}),
  });
}

/** A refused request (bad credentials, invalid settings, unknown resource): final, retrying repeats the refusal. */
export const providerRejected = (provider: string, message: string) =>
  ApplicationFailure.nonRetryable(`${provider}: ${message}`, DeliveryFailureType.providerRejected);

/** The provider's own words from an error body (`{ message }`, `{ errors: [{ message }] }`), never our request. */
function errorMessage(body: unknown, status: number): string {
  const record = (body ?? {}) as { message?: unknown; errors?: Array<{ message?: unknown }> };
  const said = typeof record.message === 'string' ? record.message : typeof record.errors?.[0]?.message === 'string' ? record.errors[0].message : '';
  return `HTTP ${status}${said ? `: ${said.slice(0, 300)}` : ''}`;
}

function retryAfter(headers: OutboundResponse['headers']): number | undefined {
  const value = headers['retry-after'] ?? headers['ratelimit-reset'];
  const seconds = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** Largest provider answer read: API answers are small JSON documents. */
const MAX_PROVIDER_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * One JSON call to a provider's public API through the outbound guard (https, public addresses,
 * no redirects: a 3xx is a rejection), its failures classified once for every provider: network
 * errors, timeouts, 429 and 5xx are retryable; any other 4xx or 3xx is a rejection.
 */
export async function providerJson<T>(provider: string, url: string, request: ProviderRequest = {}): Promise<ProviderResponse<T>> {
  let response: OutboundResponse;
  try {
    response = await outboundRequest(url, {
      method: request.method ?? 'GET',
      headers: { accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeoutMs: request.timeoutMs ?? 30_000,
      maxBytes: MAX_PROVIDER_ANSWER_BYTES,
    });
  } catch (err) {
    if (err instanceof OutboundRefused) throw providerRejected(provider, err.message);
    throw providerUnavailable(provider, `request failed: ${(err as Error).message}`);
  }
  const text = response.body.toString('utf8');
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { message: text.slice(0, 300) };
  }
  const ok = response.status >= 200 && response.status < 300;
  if (ok || request.accept?.includes(response.status)) return { status: response.status, body: body as T };
  if (response.status >= 300 && response.status < 400) throw providerRejected(provider, `HTTP ${response.status}: redirects are not followed`);
  if (response.status === 429 || response.status >= 500) throw providerUnavailable(provider, errorMessage(body, response.status), retryAfter(response.headers));
  throw providerRejected(provider, errorMessage(body, response.status));
}

/** Polls `check` until it says done, heartbeating through `onProgress`; gives up (retryably) after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { intervalMs: number; timeoutMs: number; onProgress?: () => void; signal?: AbortSignal },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const done = await check();
    if (done !== undefined) return done;
    options.onProgress?.();
    if (Date.now() > deadline) throw providerUnavailable(what, `still not done after ${Math.round(options.timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
