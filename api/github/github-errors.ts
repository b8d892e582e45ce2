import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError, ErrorCode, GithubFailureType } from '../../domain/errors';

/** The API's answer to a GitHub step that failed in the worker, by its failure type (one switch). */
export function githubAppError(err: unknown): unknown {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  const failure = cause instanceof ApplicationFailure ? cause : cause instanceof Error && cause.cause instanceof ApplicationFailure ? cause.cause : null;
  if (!failure) return err;
  const details = failure.details?.[0];
  switch (failure.type) {
    case GithubFailureType.unimportable: return new AppError(ErrorCode.invalidInput, failure.message, details);
    case GithubFailureType.authFailed: return new AppError(ErrorCode.invalidInput, `GitHub refused the organization's credential: ${failure.message}`);
    case GithubFailureType.notFound: return new AppError(ErrorCode.notFound, `GitHub has no such repository or branch for this credential: ${failure.message}`);
    case GithubFailureType.notConnected:
    case GithubFailureType.conflict: return new AppError(ErrorCode.conflict, failure.message);
    case GithubFailureType.rateLimited: return new AppError(ErrorCode.rateLimited, failure.message);
    default: return new AppError(ErrorCode.unavailable, failure.message);
  }
}
