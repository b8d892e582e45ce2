import { ConnectionException, NotFoundError } from '@mikro-orm/core';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure, withTypedFailures } from '../../activities/activity-failure';
import { activityFailureTypes, AppError, DeliveryFailureType, ErrorCode, finalActivityFailureTypes, GithubFailureType, LlmErrorType } from '../../domain/errors';
import * as presets from '../../workflows/activity-options';

const asFailure = (err: unknown) => toActivityFailure(err) as ApplicationFailure;

describe('the activity failure table and its boundary', () => {
  it('lists every type that activities throw: request codes, model, delivery and GitHub failures', () => {
    for (const type of [...Object.values(ErrorCode), ...Object.values(LlmErrorType), ...Object.values(DeliveryFailureType), ...Object.values(GithubFailureType)]) {
      expect(activityFailureTypes, type).toHaveProperty(type);
    }
  });

  it('gives every retry policy exactly the table\'s verdicts as non-retryable', () => {
    for (const [name, preset] of Object.entries(presets)) {
      expect(preset.retry?.nonRetryableErrorTypes, name).toEqual(finalActivityFailureTypes);
    }
    expect(finalActivityFailureTypes).toContain(ErrorCode.payloadTooLarge);
    expect(finalActivityFailureTypes).not.toContain(LlmErrorType.malformedOutput);
  });

  it('keeps an AppError\'s code, final or retryable as the table says', () => {
    const tooLarge = asFailure(new AppError(ErrorCode.payloadTooLarge, 'File a.ts is 2 MB', { path: 'a.ts' }));
    expect([tooLarge.type, tooLarge.nonRetryable, tooLarge.message, tooLarge.details]).toEqual(['payload_too_large', true, 'File a.ts is 2 MB', [{ path: 'a.ts' }]]);
    expect(asFailure(new AppError(ErrorCode.unavailable, 'down')).nonRetryable).toBe(false);
  });

  it('types MikroORM\'s NotFoundError as not_found (final) and a lost connection as unavailable (retried)', () => {
    expect(asFailure(NotFoundError.findOneFailed('Project', { id: 'x' }))).toMatchObject({ type: 'not_found', nonRetryable: true });
    expect(asFailure(new ConnectionException(new Error('ECONNREFUSED')))).toMatchObject({ type: 'unavailable', nonRetryable: false });
  });

  it('makes anything untyped `internal` and retryable, an unknown failure type too', () => {
    expect(asFailure(new TypeError('x is undefined'))).toMatchObject({ type: 'internal', nonRetryable: false, message: 'x is undefined' });
    expect(asFailure(ApplicationFailure.create({ type: 'SomethingElse', message: 'odd' }))).toMatchObject({ type: 'internal', message: 'SomethingElse: odd' });
  });

  it('corrects the retry flag of a known type and keeps its delay; leaves a cancellation alone', () => {
    const corrected = asFailure(ApplicationFailure.create({ type: LlmErrorType.authFailed, message: 'bad key', nonRetryable: false }));
    expect([corrected.type, corrected.nonRetryable]).toEqual(['llm_auth_failed', true]);
    const limited = ApplicationFailure.create({ type: LlmErrorType.rateLimited, message: 'slow down', nextRetryDelay: 5_000 });
    expect(toActivityFailure(limited)).toBe(limited);
    const cancelled = new CancelledFailure('cancelled');
    expect(toActivityFailure(cancelled)).toBe(cancelled);
  });

  it('wraps every function of an activity set', async () => {
    const wrapped = withTypedFailures({ ok: async (n: number) => n + 1, bad: async () => { throw new AppError(ErrorCode.versionConflict, 'both changed'); } });
    await expect(wrapped.ok(1)).resolves.toBe(2);
    await expect(wrapped.bad()).rejects.toMatchObject({ type: 'version_conflict', nonRetryable: true });
  });
});
