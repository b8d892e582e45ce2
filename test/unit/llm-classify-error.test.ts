import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { classifyLlmError, failureOf, retryAfterMs } from '../../activities/llm';
import { LlmErrorType } from '../../domain/errors';
import { LlmOutputError } from '../../domain/llm-protocol';

// HTTP statuses are classified against the real model server (test/integration/llm-faults.test.ts);
// these are the parts that need no server: Retry-After forms and errors that are not HTTP answers.

describe('retryAfterMs', () => {
  const headers = (init: Record<string, string>) => new Headers(init);
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('reads retry-after-ms, seconds and HTTP dates, preferring the milliseconds', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }), now)).toBe(30_000);
  });

  it('ignores a missing or unreadable header and never waits a negative time', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'Mon, 31 Dec 2029 23:00:00 GMT' }), now)).toBe(0);
  });
});

describe('classifyLlmError', () => {
  it('makes unusable output a retryable llm_malformed_output that names the problem', () => {
    const failure = classifyLlmError(new LlmOutputError('no_edits', 'The reply contains no edit block'));
    expect(failure).toMatchObject({ type: LlmErrorType.malformedOutput, nonRetryable: false, details: [{ problem: 'no_edits' }] });
  });

  it('passes typed failures through and keeps an unknown error\'s own name', () => {
    const typed = ApplicationFailure.create({ type: 'budget_exceeded', message: 'over', nonRetryable: true });
    expect(classifyLlmError(typed)).toBe(typed);
    expect(classifyLlmError(new RangeError('bug'))).toMatchObject({ type: 'RangeError', message: 'bug', nonRetryable: false });
  });

  it('returns the activity\'s own cancellation when its signal was aborted', () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    controller.abort(reason);
    expect(failureOf(new Error('aborted fetch'), controller.signal)).toBe(reason);
    expect(failureOf(new LlmOutputError('truncated', 'cut'))).toMatchObject({ type: LlmErrorType.malformedOutput });
  });
});
