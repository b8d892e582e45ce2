import { expect, it } from 'vitest';
import { loadWorkflowBundle } from '../../worker/workflow-bundle-cache';

/** The node_modules modules of a bundle: webpack names each module by its path, e.g. `./node_modules/zod/v4/core/core.js`. */
const packageModulesOf = (code: string) => new Set(code.match(/"\.\/node_modules\/[^"]+"/g)?.map((id) => id.slice(1, -1)));

// The worker evaluates every module of the workflow bundle again for each workflow execution:
// building zod schemas there cost about a third of each workflow start (a CPU profile of
// bench:codegen). Workflows check values with the zod-free domain modules (domain/value-checks.ts)
// and take zod-defined names as types only (`import type`), which the bundler drops.
it('bundles the workflows without zod', async () => {
  const modules = packageModulesOf((await loadWorkflowBundle()).bundle.code);
  // The ids are really there to read: the SDK's own modules are named the same way.
  expect([...modules].some((id) => id.startsWith('./node_modules/@temporalio/workflow/'))).toBe(true);
  expect([...modules].filter((id) => id.startsWith('./node_modules/zod/'))).toEqual([]);
});
