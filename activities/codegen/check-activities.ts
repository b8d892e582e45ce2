import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { FileSet } from '../../domain/agent-workflows';
import { DeliveryFailureType, ErrorCode } from '../../domain/errors';
import type { TypeCheckResult } from '../../domain/type-check';
import type { BuildSandbox } from '../builds/build-tools';
import { SandboxUnavailableError } from '../builds/sandbox-policy';
import { typeCheck } from './type-check';

export interface CheckActivityDeps {
  /** The provisioned toolchain (.tools/check-deps). */
  depsDir?: string;
  /** The sandbox tsc runs in (throws when the builder has none). */
  sandbox: () => BuildSandbox;
}

export interface TypeCheckInput {
  /** The app's files (path -> content), read by the agents side for this check (readCheckFiles). */
  contents?: Record<string, string>;
  /** Hashes only: what workflows before the builder split sent; a builder has no blob store to read them. */
  files?: FileSet;
}

const heartbeatEveryMs = 5_000;

/** Compile checks, served on the `forge-builds` queue by builders: tsc runs in the build sandbox. */
export function createCheckActivities(deps: CheckActivityDeps) {
  return {
    async typeCheckFiles({ contents }: TypeCheckInput): Promise<TypeCheckResult> {
      if (!contents) throw ApplicationFailure.nonRetryable('typeCheckFiles takes the files\' contents: builders have no blob store', ErrorCode.invalidInput);
      const context = Context.current();
      // Heartbeats let the server notice a dead builder quickly and are how a cancellation arrives.
      const beat = setInterval(() => context.heartbeat(), heartbeatEveryMs);
      try {
        return await typeCheck(contents, { signal: context.cancellationSignal, depsDir: deps.depsDir, sandbox: deps.sandbox() });
      } catch (err) {
        // No retry brings a sandbox: the operator must (the message says how).
        if (err instanceof SandboxUnavailableError) throw ApplicationFailure.nonRetryable(err.message, DeliveryFailureType.sandboxUnavailable);
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
