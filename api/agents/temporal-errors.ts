import { WorkflowNotFoundError } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { AppError, ErrorCode } from '../../domain/errors';

const knownCodes = new Set<string>(Object.values(ErrorCode));

/**
 * Turns what Temporal says about a command into the API's typed errors: an update rejected by its
 * validator (or a workflow that already ended) is the caller's conflict, not a server fault.
 */
export async function asCommand<T>(closedMessage: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type && knownCodes.has(cause.type)) {
        throw new AppError(cause.type as ErrorCode, cause.message);
      }
      throw new AppError(ErrorCode.conflict, cause?.message ?? err.message);
    }
    if (isClosedWorkflowError(err)) throw new AppError(ErrorCode.conflict, closedMessage);
    throw err;
  }
}

/** No such workflow, or it has closed: the server answers NOT_FOUND (gRPC 5) to updates and signals sent to a closed one. */
export const isClosedWorkflowError = (err: unknown) => err instanceof WorkflowNotFoundError || (err as { code?: number })?.code === 5;
