import { expect, it } from 'vitest';
import { buildsQueueFor, TaskQueue, taskQueues } from '../../domain/task-queues';
import { deployWorkflowId, jobWorkflowId, previewWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';

it('names the queue pair, optionally under a prefix', () => {
  expect(taskQueues()).toEqual({ agents: 'forge-agents', builds: 'forge-builds' });
  expect(taskQueues('staging.')).toEqual({ agents: 'staging.forge-agents', builds: 'staging.forge-builds' });
});

it('finds the builds queue paired with the queue a workflow runs on', () => {
  expect(buildsQueueFor(TaskQueue.agents)).toBe(TaskQueue.builds);
  expect(buildsQueueFor('test-42-forge-agents')).toBe('test-42-forge-builds');
  // The SDK's replay worker runs workflows on `<replayName>-<n>`: no builder's queue, but no error.
  expect(buildsQueueFor('forge-replay-0')).toBe('forge-replay-0/forge-builds');
});

it('derives readable workflow ids from row ids', () => {
  expect([sessionWorkflowId('s1'), jobWorkflowId('j1'), previewWorkflowId('p1'), deployWorkflowId('d1')]).toEqual([
    'session-s1',
    'job-j1',
    'preview-p1',
    'deploy-d1',
  ]);
});
