import { randomUUID } from 'node:crypto';
import { NotFoundError } from '@mikro-orm/core';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { sessionWorkflow } from '../../workflows/session';
import { cancelQueuedMessageUpdate, closeSessionSignal, queueMessageSignal, sendMessageUpdate } from '../../workflows/session-signals';
import { createFakes, type JobActivities } from '../support/fake-activities';
import { approveWhenWaiting, jobReaches, sessionInput, settingsWith } from '../support/workflow-inputs';
import { openWorkflowHarness, terminateQuietly, until, type WorkflowHarness } from '../support/workflow-harness';

let harness: WorkflowHarness;
beforeAll(async () => { harness = await openWorkflowHarness(); });
afterAll(async () => harness?.close());

/** A session on fresh fake workers; `jobs` replaces the job bookkeeping fakes. */
async function startSession(options: { jobs?: (base: JobActivities) => JobActivities; maxTurns?: number; approval?: boolean } = {}) {
  const fakes = createFakes();
  if (options.jobs) fakes.jobs = options.jobs(fakes.jobs);
  const workers = await harness.workersFor(fakes);
  const input = sessionInput({ settings: settingsWith({ requireApproval: options.approval ?? false }), maxTurns: options.maxTurns ?? 50 });
  const handle = await harness.client.workflow.start(sessionWorkflow, { workflowId: sessionWorkflowId(input.sessionId), taskQueue: workers.queues.agents, args: [input] });
  /** As the API queues a message: it names the job and signals. */
  const send = async (content: string, jobId = randomUUID()) => {
    await handle.signal(queueMessageSignal, { jobId, content, actorId: randomUUID() });
    return jobId;
  };
  /** As API nodes of the previous build queue one: an update the session answers, writing the row itself. */
  const sendByUpdate = async (content: string) => (await handle.executeUpdate(sendMessageUpdate, { args: [{ content, actorId: randomUUID() }] })).jobId;
  const finished = (jobId: string) => fakes.log.filter((c) => c.name === 'reportJob' && c.input.jobId === jobId && ['completed', 'failed', 'cancelled'].includes(c.input.patch.status)).map((c) => c.input.patch.status as string);
  const cleanup = async () => {
    await terminateQuietly(handle);
    await workers.stop();
  };
  return { fakes, handle, send, sendByUpdate, finished, cleanup };
}

describe('session workflow', () => {
  it('drops a message whose job could not be recorded, so later messages still run', async () => {
    let calls = 0;
    const s = await startSession({
      // Its session row is gone (MikroORM's NotFoundError, not_found at the boundary): final, no retry.
      jobs: (base) => ({ ...base, createJob: async (input) => { if (++calls === 1) throw NotFoundError.findOneFailed('AgentSession', { id: input.sessionId }); return base.createJob(input); } }),
    });
    try {
      // The session answers an update once queued and writes the row before the job runs: that write fails.
      const first = await s.sendByUpdate('first');
      const second = await s.send('second');
      await until('the second job to finish', () => s.finished(second).length > 0);
      expect(s.finished(second)).toEqual(['completed']);
      await expect(harness.client.workflow.getHandle(jobWorkflowId(first)).describe()).rejects.toThrow();
    } finally {
      await s.cleanup();
    }
  });

  it('closes the session when it is cancelled, cancelling the job it runs', async () => {
    const s = await startSession({ approval: true });
    try {
      const jobId = await s.send('build it');
      await jobReaches(harness.client, jobId, (state) => state.waitingFor === 'approval');
      await s.handle.cancel();
      await expect(s.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(s.fakes.log.filter((c) => c.name === 'closeSession')).toHaveLength(1);
      expect(s.finished(jobId)).toEqual(['cancelled']);
    } finally {
      await s.cleanup();
    }
  });

  it('records a job whose child workflow could not start as failed and moves on', async () => {
    const s = await startSession({ approval: true });
    const squatter = { workflowId: '', taskQueue: `nobody-${randomUUID()}` };
    try {
      const first = await s.send('first');
      const second = await s.send('second');
      const third = await s.send('third');
      // Its workflow id is taken before the session gets to it.
      squatter.workflowId = jobWorkflowId(second);
      await harness.client.workflow.start('nothingPollsThis', { workflowId: squatter.workflowId, taskQueue: squatter.taskQueue });
      await approveWhenWaiting(harness.client, first);
      await approveWhenWaiting(harness.client, third);
      await until('the third job to finish', () => s.finished(third).length > 0);
      expect([s.finished(first), s.finished(second), s.finished(third)]).toEqual([['completed'], ['failed'], ['completed']]);
      const failed = s.fakes.log.find((c) => c.name === 'reportJob' && c.input.jobId === second)!;
      expect(failed.input.patch.error.code).toBe('internal');
    } finally {
      if (squatter.workflowId) await terminateQuietly(harness.client.workflow.getHandle(squatter.workflowId));
      await s.cleanup();
    }
  });

  it('lets a queued message be cancelled; the running one is not in the queue', async () => {
    const s = await startSession({ approval: true });
    try {
      const first = await s.send('first');
      const second = await s.send('second');
      const third = await s.send('third');
      await jobReaches(harness.client, first, (state) => state.waitingFor === 'approval');
      const cancelQueued = (jobId: string) => s.handle.executeUpdate(cancelQueuedMessageUpdate, { args: [{ jobId }] });
      await expect(cancelQueued(first)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(cancelQueued(second)).resolves.toEqual({ jobId: second });
      await expect(cancelQueued(second)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      expect(s.finished(second)).toEqual(['cancelled']);
      await approveWhenWaiting(harness.client, first);
      await approveWhenWaiting(harness.client, third);
      await until('the third job to finish', () => s.finished(third).length > 0);
      // The cancelled message never ran: no job workflow was ever started for it.
      expect(s.fakes.log.filter((c) => c.name === 'loadBaseVersion')).toHaveLength(2);
      await expect(harness.client.workflow.getHandle(jobWorkflowId(second)).describe()).rejects.toThrow();
    } finally {
      await s.cleanup();
    }
  });

  it('queues a message signalled twice once, and ends one that arrives after the close cancelled', async () => {
    const s = await startSession({ approval: true });
    try {
      const first = await s.send('first');
      await s.send('first, sent again by a retried request', first);
      await jobReaches(harness.client, first, (state) => state.waitingFor === 'approval');
      await s.handle.signal(closeSessionSignal);
      const late = await s.send('too late');
      await approveWhenWaiting(harness.client, first);
      await s.handle.result();
      expect([s.finished(first), s.finished(late)]).toEqual([['completed'], ['cancelled']]);
      // One run of the first job; the late message never ran. Rows are the API's: the session wrote none.
      expect(s.fakes.log.filter((c) => c.name === 'loadBaseVersion')).toHaveLength(1);
      expect(s.fakes.log.filter((c) => c.name === 'createJob')).toEqual([]);
    } finally {
      await s.cleanup();
    }
  });

  it('continues as new carrying the queued messages, which then run in order, and closes on request', async () => {
    const s = await startSession({ approval: true, maxTurns: 1 });
    try {
      const firstRun = (await s.handle.describe()).runId;
      const jobs = [await s.send('first'), await s.send('second'), await s.send('third')];
      for (const jobId of jobs) await approveWhenWaiting(harness.client, jobId);
      await until('the last job to finish', () => s.finished(jobs[2]!).length > 0);
      expect(jobs.map((id) => s.finished(id))).toEqual([['completed'], ['completed'], ['completed']]);
      const started = s.fakes.log.filter((c) => c.name === 'loadBaseVersion').length;
      expect(started).toBe(3);
      expect((await harness.client.workflow.getHandle(s.handle.workflowId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
      await s.handle.signal(closeSessionSignal);
      await s.handle.result();
      expect(s.fakes.log.filter((c) => c.name === 'closeSession')).toHaveLength(1);
    } finally {
      await s.cleanup();
    }
  });
});
