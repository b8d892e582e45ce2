// Builds the workflow bundle into the cache (.data/workflow-bundles, or WORKFLOW_BUNDLE_DIR) unless
// the current code's bundle is already there, and prints its hash: the Worker Deployment build id.
// The Docker image runs it at build time, so workers in production start without webpack.
import { loadWorkflowBundle } from '../worker/workflow-bundle-cache';

const started = Date.now();
const { hash, cached } = await loadWorkflowBundle();
console.log(`workflow bundle ${hash} (${cached ? 'cached' : 'built'} in ${Date.now() - started} ms)`);
