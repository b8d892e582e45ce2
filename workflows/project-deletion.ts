import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createProjectDeletionActivities } from '../activities/projects/deletion-activities';
import type { ProjectDeletionInput } from '../domain/project-deletion';
import { awaitRuns, storageWrite } from './activity-options';
import { deliveryActivities } from './delivery-activities';

const runs = proxyActivities<ReturnType<typeof createProjectDeletionActivities>>(awaitRuns);
const records = proxyActivities<ReturnType<typeof createProjectDeletionActivities>>(storageWrite);

/**
 * Deletes a project (workflow `project-deletion-<projectId>`) only once nothing of it runs: its
 * sessions and jobs are cancelled, its previews destroyed, deployments in progress awaited, every
 * release torn down at its provider (retried by Temporal until the provider answers), and only
 * then are the project and its records deleted. Each step is repeatable, so a retry of the whole
 * deletion (a second DELETE after a failure) picks up where the first stopped.
 */
export async function projectDeletionWorkflow(input: ProjectDeletionInput): Promise<void> {
  // Releases are torn down where their provider runs (local: builders; others: the agents side).
  const providers = deliveryActivities();
  const builder = providers;
  const { projectId, organizationId } = input;

  setCurrentDetails('**stopping** sessions and jobs');
  await runs.stopProjectRuns({ projectId, kind: 'sessions' });
  // After the jobs: a job that saved a version may just have started a preview.
  setCurrentDetails('**destroying** previews');
  await runs.stopProjectRuns({ projectId, kind: 'previews' });
  setCurrentDetails('**waiting** for deployments in progress to settle');
  await runs.stopProjectRuns({ projectId, kind: 'deployments' });

  for (const release of await records.listProjectReleases({ projectId })) {
    setCurrentDetails(`**tearing down** deployment ${release.deploymentId} at ${release.ref.provider}`);
    await providers.destroyRelease({ organizationId, ref: release.ref });
    await builder.removeBuild({ buildId: release.deploymentId });
  }
  setCurrentDetails('**deleting** the project and its records');
  await records.deleteProjectRecords(input);
  setCurrentDetails('**deleted**');
}
