// Preloaded (`node --import`) into the worker process, and so into each of its worker threads, where
// the Temporal SDK runs workflows. There the SDK installs a promise hook that records a source-mapped
// stack trace for every promise a workflow creates, for the `__stack_trace` query (the Web UI's
// "Stack Trace" tab). Measured on the codegen bench: about 28% of the workflow thread's CPU, and a
// new job reaching its first stage 135-148 ms after its message instead of 92-94 ms (the SDK has no
// switch for it; temporalio/sdk-typescript#1587 reports the same kind of cost for async workflow
// code). So the hook is off unless WORKFLOW_STACK_TRACES=on: the SDK
// then finds no promise hooks, as on runtimes without them, and the query answers "Workflow stack
// traces are not enabled on this worker". Workflows run the same either way.
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';

if (!isMainThread && process.env.WORKFLOW_STACK_TRACES !== 'on') {
  v8.promiseHooks.createHook = () => {
    throw new Error('promise hooks are off in workflow threads (WORKFLOW_STACK_TRACES=on turns them on)');
  };
}
