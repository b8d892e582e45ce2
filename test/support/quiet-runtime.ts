import { DefaultLogger, Runtime } from '@temporalio/worker';

// The SDK logs every worker state change at INFO; tests only need its warnings. Imported for its
// effect by every test support module that starts workers: the runtime is installed once per process.
Runtime.install({ logger: new DefaultLogger('WARN') });
