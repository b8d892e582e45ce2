import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditLog } from '../../db/entities/index';
import { stackCheckWorkflowId } from '../../domain/workflow-ids';
import { createWorkerActivities } from '../../worker/activities';
import type { stackCheckWorkflow } from '../../workflows/stack-check';
import { openWorkerTestEnv, startTestWorkers, testWorkerConfig, uniqueTaskQueues, type RunningWorkers, type WorkerTestEnv } from '../support/test-workers';

let env: WorkerTestEnv;
let running: RunningWorkers;
const queues = uniqueTaskQueues();
const recordAttempts: number[] = [];

beforeAll(async () => {
  env = await openWorkerTestEnv();
  const real = createWorkerActivities({ orm: env.orm, config: testWorkerConfig() });
  running = await startTestWorkers(env, {
    taskQueues: queues,
    activities: {
      ...real,
      agents: {
        ...real.agents,
        // The worst moment to crash: after the row is committed, before the result reaches Temporal.
        async recordStackCheck(input) {
          const result = await real.agents.recordStackCheck(input);
          const { attempt } = Context.current().info;
          recordAttempts.push(attempt);
          if (attempt === 1) throw ApplicationFailure.retryable('Simulated crash after commit', 'test_crash_after_commit');
          return result;
        },
      },
    },
  });
});

afterAll(async () => {
  await running?.stop();
  await env?.close();
});

it('runs the stack check end to end across both queues and writes its audit row once despite a retry', async () => {
  const organizationId = randomUUID();
  const workflowId = stackCheckWorkflowId(randomUUID());
  const handle = await env.client.workflow.start<typeof stackCheckWorkflow>('stackCheckWorkflow', {
    taskQueue: queues.agents,
    workflowId,
    args: [{ organizationId }],
    staticSummary: 'Stack check (integration test)',
  });

  const result = await handle.result();

  expect(result.ok).toBe(true);
  expect(result.workspace).toEqual({ nodeVersion: process.version, platform: process.platform, scratchWritable: true });
  expect(recordAttempts).toEqual([1, 2]);

  const rows = await env.orm.em.fork().find(AuditLog, { targetId: workflowId });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ id: result.auditLogId, organizationId, action: 'system.stack_check', targetType: 'workflow', actorId: null });
  expect(rows[0]!.createdAt.toISOString()).toBe(result.at);
  expect(rows[0]!.details).toEqual({ workspace: result.workspace });

  // The probe really ran on the builds queue, the write next to the workflow on the agents queue.
  const scheduled = new Map<string, string>();
  for (const event of (await handle.fetchHistory()).events ?? []) {
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs) scheduled.set(attrs.activityType!.name!, attrs.taskQueue!.name!);
  }
  expect(Object.fromEntries(scheduled)).toEqual({ probeBuildWorkspace: queues.builds, recordStackCheck: queues.agents });

  // What an operator sees in the Temporal UI.
  const description = await handle.describe();
  expect(await description.staticSummary()).toBe('Stack check (integration test)');
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toBe(`Passed at ${result.at}`);
});

it('writes one audit row per run: a second check of the same organization is a new row', async () => {
  const organizationId = randomUUID();
  const results = await Promise.all(
    [1, 2].map((n) =>
      env.client.workflow.execute<typeof stackCheckWorkflow>('stackCheckWorkflow', {
        taskQueue: queues.agents,
        workflowId: stackCheckWorkflowId(`${randomUUID()}-${n}`),
        args: [{ organizationId }],
      }),
    ),
  );
  expect(new Set(results.map((r) => r.auditLogId)).size).toBe(2);
  expect(await env.orm.em.fork().count(AuditLog, { organizationId })).toBe(2);
});
