import { CancellationScope, isCancellation, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import type { DeploymentPatch, DeploymentStatus, DeploymentWorkflowInput, LiveDeployment } from '../domain/deployments';
import { deploymentResourceName } from '../domain/provider-names';
import type { ProviderRef } from '../domain/providers';
import { topicFor } from '../domain/topics';
import { storageWrite } from './activity-options';
import { deliveryActivities } from './delivery-activities';
import { compensate, deliveryFailure, type DeliveryFailure } from './delivery-failure';
import { workflowProgress } from './progress';

type Builder = ReturnType<typeof deliveryActivities>;
const records = proxyActivities<ReturnType<typeof createDeliveryRecordActivities>>(storageWrite);

export type DeploymentOutcome =
  | { status: 'live'; url: string; supersededDeploymentId: string | null }
  | ({ status: 'rolled_back'; rolledBackTo: string } & DeliveryFailure)
  | ({ status: 'failed' } & DeliveryFailure);

/**
 * One production release (workflow `deploy-<id>`): build, deploy with the provider, health check,
 * promote to the project's live deployment. A saga: when the deploy or the health check fails
 * after another deployment was live, the provider is rolled back to it and this one ends
 * `rolled_back`; with nothing to go back to, what was created is destroyed and it ends `failed`.
 */
export async function deploymentWorkflow(input: DeploymentWorkflowInput): Promise<DeploymentOutcome> {
  const { deploymentId, organizationId, provider, projectId } = input;
  const topic = topicFor('deployment', deploymentId);
  const resource = deploymentResourceName(deploymentId);
  // Each activity on the queue allowed to run it: builds and local servers on builders, the rest by provider.
  const builder = deliveryActivities();
  const rollout = builder;
  const calls = builder;

  const progress = workflowProgress<DeploymentStatus, DeploymentPatch>({
    // Each event carries the status its report sets (none for a report that sets none).
    send: ({ patch, events }) => records.recordDeployment({ deploymentId, patch, events: events.map((e) => ({ ...e, data: { ...e.data, status: patch.status } })) }),
    entered: (status, detail) => ({ patch: { status }, event: { type: 'deployment.status', data: { detail } }, details: `**${status}**: ${detail}` }),
  });
  const { report, enter } = progress;
  const fail = async (failure: DeliveryFailure): Promise<DeploymentOutcome> => {
    progress.show('failed', `**failed**: ${failure.error.code}: ${failure.error.message}`);
    await report({ status: 'failed', error: failure.error, logTail: failure.logTail }, [{ type: 'deployment.failed', data: { error: failure.error, logTail: failure.logTail } }]);
    return { status: 'failed', ...failure };
  };

  let previous: LiveDeployment | null = null;
  let deploying = false;
  let ref: ProviderRef | null = null;

  /**
   * Undoes a release that did not go live (saga compensation): the previous live deployment serves
   * again and this one ends `rolled_back`; with nothing to go back to, what was created is removed
   * and it ends `failed`.
   */
  const undo = async (failure: DeliveryFailure): Promise<DeploymentOutcome> => {
    if (!previous) {
      const created = ref;
      await compensate(`remove ${resource}`, () => (created ? calls.destroyRelease({ organizationId, ref: created }) : calls.removeResource({ organizationId, provider, resource })));
      await compensate('remove the build', () => builder.removeBuild({ buildId: deploymentId }));
      return fail(failure);
    }
    const back = previous;
    setCurrentDetails(`**rolling back** to ${back.deploymentId}: ${failure.error.message}`);
    let restored: ProviderRef;
    try {
      restored = await rollout.rollbackRelease({ organizationId, provider: back.providerRef.provider, topic, failed: ref, to: back.providerRef });
    } catch (rollbackErr) {
      const { error } = deliveryFailure(rollbackErr);
      return fail({ error: { code: error.code, message: `${failure.error.message}; then the rollback to ${back.deploymentId} failed: ${error.message}` }, logTail: failure.logTail });
    }
    // A provider may serve the restored release at a new address (the local one restarts it on a new port).
    await records.recordDeployment({ deploymentId: back.deploymentId, patch: { providerRef: restored, url: restored.url }, events: [] });
    await compensate('remove the build', () => builder.removeBuild({ buildId: deploymentId }));
    progress.show('rolled_back', `**rolled_back** to ${back.deploymentId}: ${failure.error.code}`);
    await report(
      { status: 'rolled_back', error: failure.error, logTail: failure.logTail },
      [{ type: 'deployment.rolled_back', data: { rolledBackTo: back.deploymentId, url: restored.url, error: failure.error, logTail: failure.logTail } }],
    );
    return { status: 'rolled_back', rolledBackTo: back.deploymentId, ...failure };
  };

  /** Makes this release the project's live one; the one it replaces stops holding resources. */
  const promote = async (live: ProviderRef): Promise<DeploymentOutcome> => {
    const superseded = await records.promoteDeployment({
      deploymentId,
      events: [{ type: 'deployment.promoted', data: { status: 'live', url: live.url, previousDeploymentId: previous?.deploymentId ?? null }, key: `${workflowInfo().workflowId}:promoted` }],
    });
    progress.show('live', `**live** at ${live.url}`);
    if (superseded) {
      // The old release stops holding resources; rollbacks only ever go to the current live one.
      await compensate(`free ${superseded.deploymentId}`, () => calls.destroyRelease({ organizationId, ref: superseded.providerRef }));
      await compensate('remove its build', () => builder.removeBuild({ buildId: superseded.deploymentId }));
    }
    return { status: 'live', url: live.url, supersededDeploymentId: superseded?.deploymentId ?? null };
  };

  try {
    await enter('building', `building version ${input.version}`);
    let app: Awaited<ReturnType<Builder['buildVersion']>>;
    try {
      app = await builder.buildVersion({ buildId: deploymentId, topic, projectId, version: input.version });
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Nothing was deployed: the live deployment, if any, never stopped serving.
      return await fail(deliveryFailure(err));
    }

    previous = await records.findLiveDeployment({ projectId, excludeId: deploymentId });
    await enter('deploying', `deploying to ${provider}${previous ? `, replacing ${previous.deploymentId}` : ''}`);
    deploying = true;
    try {
      ref = await rollout.deployRelease({ organizationId, provider, topic, resource, projectId, artifactDir: app.artifactDir });
      await report({ providerRef: ref, url: ref.url, previousDeploymentId: previous?.deploymentId ?? null, logTail: app.logTail }, [{ type: 'deployment.deployed', data: { url: ref.url } }]);
      await calls.checkHealth({ organizationId, ref, rootElementId: app.rootElementId, topic });
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Compensation runs to its end even if a cancel arrives meanwhile.
      const failure = deliveryFailure(err);
      return await CancellationScope.nonCancellable(() => undo(failure));
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // An operator's cancel: undone like a failure, in a scope the cancellation cannot reach, so
    // the row ends `failed` or `rolled_back` (never `deploying`, which the reaper treats as active).
    await CancellationScope.nonCancellable(async () => {
      const failure = { error: { code: 'cancelled', message: 'The deployment was cancelled' }, logTail: [] };
      if (deploying) return undo(failure);
      await compensate('remove the build', () => builder.removeBuild({ buildId: deploymentId }));
      return fail(failure);
    });
    throw err;
  }

  // Past the health check the release is live: a cancel arriving now no longer stops its promotion.
  return CancellationScope.nonCancellable(() => promote(ref!));
}

