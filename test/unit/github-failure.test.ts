import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { githubFailure } from '../../activities/github/github-failure';
import { GithubFailureType } from '../../domain/errors';

/** What octokit throws for an HTTP error answer (RequestError, named HttpError). */
const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`status ${status}`), { name: 'HttpError', status, response: { headers } });

describe('GitHub answers as typed failures', () => {
  it('makes auth, not-found and conflict answers final, each with its type', () => {
    const cases = [[401, GithubFailureType.authFailed], [403, GithubFailureType.authFailed], [404, GithubFailureType.notFound], [409, GithubFailureType.conflict], [422, GithubFailureType.conflict]] as const;
    for (const [status, type] of cases) {
      const failure = githubFailure(httpError(status), 'testing');
      expect([failure.type, failure.nonRetryable], String(status)).toEqual([type, true]);
    }
  });

  it('retries a rate limit no sooner than the reset GitHub names, and 5xx or network errors with backoff', () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    const limited = githubFailure(httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }), 'testing');
    expect([limited.type, limited.nonRetryable]).toEqual([GithubFailureType.rateLimited, false]);
    const delay = Number(limited.nextRetryDelay);
    expect(delay).toBeGreaterThan(110_000);
    expect(delay).toBeLessThanOrEqual(120_000);
    expect(Number(githubFailure(httpError(429, { 'retry-after': '7' }), 'testing').nextRetryDelay)).toBe(7_000);
    for (const err of [httpError(502), new TypeError('fetch failed')]) {
      const failure = githubFailure(err, 'testing');
      expect([failure.type, failure.nonRetryable]).toEqual([GithubFailureType.unavailable, false]);
    }
    const typed = ApplicationFailure.nonRetryable('already typed', 'x');
    expect(githubFailure(typed, 'testing')).toBe(typed);
  });
});
