import { Context } from '@temporalio/activity';
import type { FileSet } from '../../domain/agent-workflows';
import type { TypeCheckResult } from '../../domain/type-check';
import { typeCheck } from './type-check';

export interface CheckActivityDeps {
  /** Contents for a file set (a tree or a path -> hash map): workflows carry hashes, never contents. */
  readFiles(files: FileSet): Promise<Record<string, string>>;
  depsDir?: string;
}

const heartbeatEveryMs = 5_000;

/** Compile checks, served on the `forge-builds` queue. */
export function createCheckActivities(deps: CheckActivityDeps) {
  return {
    async typeCheckFiles({ files }: { files: FileSet }): Promise<TypeCheckResult> {
      const context = Context.current();
      const contents = await deps.readFiles(files);
      // Heartbeats let the server notice a dead builder quickly and are how a cancellation arrives.
      const beat = setInterval(() => context.heartbeat(), heartbeatEveryMs);
      try {
        return await typeCheck(contents, { signal: context.cancellationSignal, depsDir: deps.depsDir });
      } finally {
        clearInterval(beat);
      }
    },
  };
}
