import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import type { DeploymentPatch, DeploymentStatus, DeploymentWorkflowInput, LiveDeployment } from '../domain/deployments';
import { topicFor } from '../domain/events';
import { deploymentResourceName, type ProviderRef } from '../domain/providers';
import { storageWrite } from './activity-options';
import { deliveryActivities } from './delivery-activities';
import { compensate, deliveryFailure, type DeliveryFailure } from './delivery-failure';
import { ForgeStage } from './search-attributes';

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

  let eventCount = 0;
  const report = async (patch: DeploymentPatch, type: string, data: Record<string, unknown>) => {
    const key = `${workflowInfo().workflowId}:${workflowInfo().runId}:${++eventCount}`;
    await records.recordDeployment({ deploymentId, patch, events: [{ type, data: { ...data, status: patch.status }, key }] });
  };
  const enter = async (status: DeploymentStatus, detail: string) => {
    upsertSearchAttributes([{ key: ForgeStage, value: status }]);
    setCurrentDetails(`**${status}**: ${detail}`);
    await report({ status }, 'deployment.status', { detail });
  };
  const fail = async (failure: DeliveryFailure): Promise<DeploymentOutcome> => {
    upsertSearchAttributes([{ key: ForgeStage, value: 'failed' }]);
    setCurrentDetails(`**failed**: ${failure.error.code}: ${failure.error.message}`);
    await report({ status: 'failed', error: failure.error, logTail: failure.logTail }, 'deployment.failed', { error: failure.error, logTail: failure.logTail });
    return { status: 'failed', ...failure };
  };

  await enter('building', `building version ${input.version}`);
  let app: Awaited<ReturnType<Builder['buildVersion']>>;
  try {
    app = await builder.buildVersion({ buildId: deploymentId, topic, projectId, version: input.version });
  } catch (err) {
    // Nothing was deployed: the live deployment, if any, never stopped serving.
    return fail(deliveryFailure(err));
  }

  const previous: LiveDeployment | null = await records.findLiveDeployment({ projectId, excludeId: deploymentId });
  await enter('deploying', `deploying to ${provider}${previous ? `, replacing ${previous.deploymentId}` : ''}`);
  let ref: ProviderRef | null = null;
  try {
    ref = await rollout.deployRelease({ organizationId, provider, topic, resource, projectId, artifactDir: app.artifactDir });
    await report({ providerRef: ref, url: ref.url, previousDeploymentId: previous?.deploymentId ?? null, logTail: app.logTail }, 'deployment.deployed', { url: ref.url });
    await calls.checkHealth({ organizationId, ref, rootElementId: app.rootElementId, topic });
  } catch (err) {
    const failure = deliveryFailure(err);
    if (!previous) {
      const created = ref;
      await compensate(`remove ${resource}`, () => (created ? calls.destroyRelease({ organizationId, ref: created }) : calls.removeResource({ organizationId, provider, resource })));
      await compensate('remove the build', () => builder.removeBuild({ buildId: deploymentId }));
      return fail(failure);
    }
    // Compensation: the previous live deployment serves again.
    setCurrentDetails(`**rolling back** to ${previous.deploymentId}: ${failure.error.message}`);
    let restored: ProviderRef;
    try {
      restored = await rollout.rollbackRelease({ organizationId, provider: previous.providerRef.provider, topic, failed: ref, to: previous.providerRef });
    } catch (rollbackErr) {
      const { error } = deliveryFailure(rollbackErr);
      return fail({ error: { code: error.code, message: `${failure.error.message}; then the rollback to ${previous.deploymentId} failed: ${error.message}` }, logTail: failure.logTail });
    }
    // A provider may serve the restored release at a new address (the local one restarts it on a new port).
    await records.recordDeployment({ deploymentId: previous.deploymentId, patch: { providerRef: restored, url: restored.url }, events: [] });
    await compensate('remove the build', () => builder.removeBuild({ buildId: deploymentId }));
    upsertSearchAttributes([{ key: ForgeStage, value: 'rolled_back' }]);
    setCurrentDetails(`**rolled_back** to ${previous.deploymentId}: ${failure.error.code}`);
    await report(
      { status: 'rolled_back', error: failure.error, logTail: failure.logTail },
      'deployment.rolled_back',
      { rolledBackTo: previous.deploymentId, url: restored.url, error: failure.error, logTail: failure.logTail },
    );
    return { status: 'rolled_back', rolledBackTo: previous.deploymentId, ...failure };
  }

  const superseded = await records.promoteDeployment({
    deploymentId,
    events: [{ type: 'deployment.promoted', data: { status: 'live', url: ref.url, previousDeploymentId: previous?.deploymentId ?? null }, key: `${workflowInfo().workflowId}:promoted` }],
  });
  upsertSearchAttributes([{ key: ForgeStage, value: 'live' }]);
  setCurrentDetails(`**live** at ${ref.url}`);
  if (superseded) {
    // The old release stops holding resources; rollbacks only ever go to the current live one.
    await compensate(`free ${superseded.deploymentId}`, () => calls.destroyRelease({ organizationId, ref: superseded.providerRef }));
    await compensate('remove its build', () => builder.removeBuild({ buildId: superseded.deploymentId }));
  }
  return { status: 'live', url: ref.url, supersededDeploymentId: superseded?.deploymentId ?? null };
}
