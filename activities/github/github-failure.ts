import { ApplicationFailure } from '@temporalio/common';
import { GithubFailureType } from '../../domain/errors';

/** Octokit's RequestError (`name` HttpError), told by shape: it is not exported by @octokit/rest. */
interface RequestError extends Error {
  status: number;
  response?: { headers?: Record<string, unknown> };
}
const isRequestError = (err: unknown): err is RequestError => err instanceof Error && err.name === 'HttpError' && typeof (err as RequestError).status === 'number';

const header = (err: RequestError, name: string) => {
  const value = err.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
};

/**
 * GitHub's answer as a typed failure (domain/github.ts). A rate limit (403/429 with
 * x-ratelimit-remaining 0 or retry-after) is retried by Temporal no sooner than the reset GitHub
 * names; auth, not-found and conflict answers are verdicts; 5xx and network errors are retried.
 */
export function githubFailure(err: unknown, doing: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (!isRequestError(err)) {
    return ApplicationFailure.create({ type: GithubFailureType.unavailable, message: `GitHub could not be reached while ${doing}: ${(err as Error).message}` });
  }
  const message = `GitHub answered ${err.status} while ${doing}: ${err.message}`;
  const retryAfter = header(err, 'retry-after');
  const reset = header(err, 'x-ratelimit-reset');
  if ((err.status === 403 || err.status === 429) && (retryAfter !== undefined || header(err, 'x-ratelimit-remaining') === '0')) {
    const waitMs = retryAfter !== undefined ? Number(retryAfter) * 1000 : Number(reset) * 1000 - Date.now();
    return ApplicationFailure.create({ type: GithubFailureType.rateLimited, message, nextRetryDelay: Math.max(1_000, Number.isFinite(waitMs) ? waitMs : 60_000) });
  }
  if (err.status === 401 || err.status === 403) return ApplicationFailure.create({ type: GithubFailureType.authFailed, message, nonRetryable: true });
  if (err.status === 404) return ApplicationFailure.create({ type: GithubFailureType.notFound, message, nonRetryable: true });
  if (err.status === 409 || err.status === 422) return ApplicationFailure.create({ type: GithubFailureType.conflict, message, nonRetryable: true });
  return ApplicationFailure.create({ type: GithubFailureType.unavailable, message });
}

/** Runs one step against GitHub, typing whatever it throws. */
export async function onGithub<T>(doing: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw githubFailure(err, doing);
  }
}

/** 404 as "absent" (a branch not created yet), every other failure typed. */
export async function absentOn404<T>(doing: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    if (isRequestError(err) && err.status === 404) return null;
    throw githubFailure(err, doing);
  }
}
