import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { SessionSettings } from '../../domain/agents';
import type { JobWorkflowInput, SessionWorkflowInput } from '../../domain/agent-workflows';
import { jobWorkflowId } from '../../domain/workflow-ids';
import { approvePlanUpdate, jobStateQuery, type JobState } from '../../workflows/codegen/job-signals';
import { until } from './workflow-harness';

/** Workflow inputs for workflow tests: fresh ids, no preview unless asked, settings overridable. */
export const settingsWith = (overrides: Partial<SessionSettings> = {}) => SessionSettings.parse({ autoPreview: false, ...overrides });

export const sessionInput = (overrides: Partial<SessionWorkflowInput> & { settings?: SessionSettings } = {}): SessionWorkflowInput => ({
  sessionId: randomUUID(),
  projectId: randomUUID(),
  organizationId: randomUUID(),
  settings: settingsWith(),
  idleTimeoutSeconds: 3600,
  maxTurns: 50,
  ...overrides,
});

export const jobInput = (overrides: Partial<JobWorkflowInput> = {}): JobWorkflowInput => ({
  jobId: randomUUID(),
  sessionId: randomUUID(),
  projectId: randomUUID(),
  organizationId: randomUUID(),
  actorId: randomUUID(),
  content: 'Build a counter',
  settings: settingsWith(),
  ...overrides,
});

/** Waits until job `jobId` reports `check` through its state query (it may not have started yet). */
export async function jobReaches(client: Client, jobId: string, check: (s: JobState) => boolean): Promise<void> {
  const handle = client.workflow.getHandle(jobWorkflowId(jobId));
  await until(`job ${jobId} state`, async () => check(await handle.query(jobStateQuery).catch(() => ({ status: 'queued' }) as JobState)));
}

export async function approveWhenWaiting(client: Client, jobId: string): Promise<void> {
  await jobReaches(client, jobId, (s) => s.waitingFor === 'approval');
  await client.workflow.getHandle(jobWorkflowId(jobId)).executeUpdate(approvePlanUpdate);
}
