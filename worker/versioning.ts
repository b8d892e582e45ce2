import type { Client } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { WorkerConfig } from '../domain/config';

/** A Worker Deployment version: which deployment this process belongs to, and which build it runs. */
export interface WorkerBuild {
  deploymentName: string;
  buildId: string;
}

type VersioningConfig = Pick<WorkerConfig, 'WORKER_VERSIONING' | 'WORKER_DEPLOYMENT_NAME' | 'TEMPORAL_TASK_QUEUE_PREFIX'>;

/**
 * The build this process runs, or undefined with versioning off. The build id is the workflow
 * bundle's hash (worker/workflow-bundle-cache.ts): the same code on every host is the same version,
 * and any change to the workflow code is a new one. The agents worker and the builder both call
 * this, so the activities a pinned job schedules on `forge-builds` reach builders of its build.
 */
export function workerBuild(config: VersioningConfig, bundleHash: string): WorkerBuild | undefined {
  if (config.WORKER_VERSIONING === 'off') return undefined;
  return { deploymentName: config.WORKER_DEPLOYMENT_NAME ?? `${config.TEMPORAL_TASK_QUEUE_PREFIX}forge`, buildId: bundleHash };
}

/**
 * Worker options for a build. PINNED by default: a job, preview or deployment finishes on the code
 * that started it, never replaying its history on changed code; workflows/index.ts names the
 * exceptions (sessions upgrade, as they are long-lived and kept replay-compatible with `patched()`).
 */
export function deploymentOptions(build: WorkerBuild | undefined): { workerDeploymentOptions?: WorkerDeploymentOptions } {
  if (!build) return {};
  return { workerDeploymentOptions: { version: build, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } };
}

/** Whether this process promotes its build (dev stack and tests: yes; production: the operator does). */
export const setsCurrentVersion = (config: Pick<WorkerConfig, 'WORKER_SET_CURRENT_VERSION' | 'NODE_ENV'>): boolean =>
  config.WORKER_SET_CURRENT_VERSION === 'on' || (config.WORKER_SET_CURRENT_VERSION === 'auto' && config.NODE_ENV !== 'production');

/**
 * Makes `build` the deployment's current version: new workflows start on it, AUTO_UPGRADE ones move
 * to it, pinned ones stay where they are. The server learns a version from its first poll, so this
 * retries until the version exists (what `temporal worker deployment set-current-version` does by hand).
 */
export async function setCurrentVersion(client: Client, build: WorkerBuild, timeoutMs = 30_000): Promise<void> {
  // A replacement worker of the build already current (a restart, a crash) has nothing to wait for.
  if ((await currentBuildId(client, build.deploymentName)) === build.buildId) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName: build.deploymentName,
        buildId: build.buildId,
        identity: client.options.identity,
      });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The deployment's current build id; undefined when it has none yet (or does not exist). */
async function currentBuildId(client: Client, deploymentName: string): Promise<string | undefined> {
  try {
    const { workerDeploymentInfo } = await client.workflowService.describeWorkerDeployment({ namespace: client.options.namespace, deploymentName });
    return workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
  } catch {
    return undefined;
  }
}
