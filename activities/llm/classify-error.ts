import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LlmErrorType } from '../../domain/errors';
import { LlmOutputError } from '../../domain/llm-protocol';

/**
 * Turns whatever a model call threw into an ApplicationFailure with a stable type. Rate limits,
 * outages, timeouts, dropped connections and unusable output are retryable (Temporal backs off,
 * honouring Retry-After); a refused key or request fails at once, in words a user can act on.
 */

/** Retry-After in milliseconds: OpenAI's `retry-after-ms`, else seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const providerMessage = (err: APIError) => (err.error as { message?: unknown } | undefined)?.message;

function failure(type: LlmErrorType, message: string, cause: Error, options: { nonRetryable?: boolean; nextRetryDelay?: number; details?: unknown } = {}) {
  return ApplicationFailure.create({
    type,
    message,
    cause,
    nonRetryable: options.nonRetryable ?? false,
    ...(options.nextRetryDelay !== undefined ? { nextRetryDelay: options.nextRetryDelay } : {}),
    details: options.details === undefined ? [] : [options.details],
  });
}

function fromStatus(err: APIError): ApplicationFailure {
  const details = { status: err.status, code: err.code ?? null, providerMessage: providerMessage(err) ?? null, requestId: err.requestID ?? null };
  const final = { nonRetryable: true, details };
  switch (err.status) {
    case 401:
      return failure(LlmErrorType.authFailed, 'The AI model service rejected our API key. An administrator needs to check OPENAI_API_KEY.', err, final);
    case 403:
      return failure(LlmErrorType.authFailed, 'Our API key is not allowed to use this AI model. An administrator needs to check the key and the model settings.', err, final);
    case 404:
      return failure(LlmErrorType.badRequest, 'The AI model service does not know the configured model or endpoint. An administrator needs to check the model names and OPENAI_BASE_URL.', err, final);
    case 400:
    case 413:
    case 422: {
      const why = providerMessage(err);
      return failure(LlmErrorType.badRequest, `The AI model service refused the request${typeof why === 'string' ? `: ${why}` : '.'}`, err, final);
    }
    case 429:
      return failure(LlmErrorType.rateLimited, 'The AI model service is rate limiting our requests.', err, { nextRetryDelay: retryAfterMs(err.headers), details });
    case 408:
      return failure(LlmErrorType.timeout, 'The AI model service timed out.', err, { details });
  }
  const wait = retryAfterMs(err.headers);
  return failure(LlmErrorType.unavailable, `The AI model service failed (HTTP ${err.status ?? 'error'}).`, err, { details, ...(wait !== undefined ? { nextRetryDelay: wait } : {}) });
}

export function classifyLlmError(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof LlmOutputError) {
    return failure(LlmErrorType.malformedOutput, `The AI model's answer could not be used: ${err.message}`, err, { details: { problem: err.problem } });
  }
  // Order matters: every one of these is an APIError, and the timeout is a connection error.
  if (err instanceof APIUserAbortError) return failure(LlmErrorType.cancelled, 'The model call was cancelled.', err, { nonRetryable: true });
  if (err instanceof APIConnectionTimeoutError) return failure(LlmErrorType.timeout, 'The AI model did not answer in time.', err);
  if (err instanceof APIConnectionError) return failure(LlmErrorType.unavailable, 'Could not reach the AI model service, or it dropped the connection.', err);
  if (err instanceof APIError) return fromStatus(err);
  // Not a model failure but a bug or an unknown fault: keep its own name, retried like any error.
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: error.name, message: error.message, cause: error });
}

/**
 * What a model call throws: the activity's own cancellation when it was cancelled (so Temporal
 * records a cancellation, not a failure), else the classified failure.
 */
export function failureOf(err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  return classifyLlmError(err);
}
