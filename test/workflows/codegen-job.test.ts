import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NotFoundError } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../../domain/errors';
import type { JobWorkflowInput } from '../../domain/agent-workflows';
import type { JobStage } from '../../domain/agents';
import type { TypeCheckDiagnostic } from '../../domain/type-check';
import { jobWorkflowId } from '../../domain/workflow-ids';
import { codegenJobWorkflow } from '../../workflows/codegen-job';
import { answerUpdate, approvePlanUpdate, jobStateQuery, rejectPlanUpdate } from '../../workflows/codegen/job-signals';
import { callNames, createFakes, held, plan, slowed, usage, type Fakes } from '../support/fake-activities';
import { expectProgressTrail } from '../support/progress-trail';
import { jobInput, jobReaches, settingsWith } from '../support/workflow-inputs';
import { openWorkflowHarness, terminateQuietly, until, type WorkflowHarness } from '../support/workflow-harness';

let harness: WorkflowHarness;
beforeAll(async () => { harness = await openWorkflowHarness(); });
afterAll(async () => harness?.close());

async function startJob(input: JobWorkflowInput, script: (fakes: Fakes) => void = () => undefined) {
  const fakes = createFakes();
  script(fakes);
  const workers = await harness.workersFor(fakes);
  const handle = await harness.client.workflow.start(codegenJobWorkflow, { workflowId: jobWorkflowId(input.jobId), taskQueue: workers.queues.agents, args: [input] });
  const finish = () => fakes.log.filter((c) => c.name === 'reportJob' && c.input.events.some((e: { type: string }) => e.type === 'job.finished')).map((c) => c.input.patch);
  const failure = async () => {
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as ApplicationFailure;
  };
  return { input, fakes, handle, finish, failure, cleanup: async () => { await terminateQuietly(handle); await workers.stop(); } };
}

const diagnostic = (message: string): TypeCheckDiagnostic => ({ file: 'src/App.tsx', line: 1, column: 1, code: 2322, message });
const failingCheck = (messages: () => string) => async () => ({ ok: false, diagnostics: [diagnostic(messages())], durationMs: 1 });

describe('codegen job workflow', () => {
  it('runs every stage to a saved version and reports its usage', async () => {
    const j = await startJob(jobInput());
    try {
      await expect(j.handle.result()).resolves.toMatchObject({ status: 'completed', resultVersion: 1, usage: { calls: 3 } });
      expect(callNames(j.fakes.log, ['classifyIntent', 'planChanges', 'generateFiles', 'typeCheckFiles', 'saveJobVersion'])).toEqual(['classifyIntent', 'planChanges', 'generateFiles', 'typeCheckFiles', 'saveJobVersion']);
      await expectProgressTrail(j.handle, j.fakes.log, 'reportJob', 'save');
    } finally {
      await j.cleanup();
    }
  });

  it('cancels itself with approval_timeout when nobody approves the plan in time', async () => {
    const j = await startJob(jobInput({ settings: settingsWith({ requireApproval: true, approvalTimeoutSeconds: 1 }) }));
    try {
      await expect(j.handle.result()).resolves.toMatchObject({ status: 'cancelled', error: { code: 'approval_timeout' } });
      expect(callNames(j.fakes.log)).not.toContain('generateFiles');
    } finally {
      await j.cleanup();
    }
  });

  it('re-plans with the feedback after a rejection, then runs the approved plan', async () => {
    let round = 0;
    const j = await startJob(jobInput({ settings: settingsWith({ requireApproval: true }) }), (fakes) => {
      fakes.codegen = { ...fakes.codegen, planChanges: async (input) => { await createFakes(fakes.log).codegen.planChanges(input); return { plan: { ...plan, summary: `plan ${++round}` }, usage: usage() }; } };
    });
    try {
      await jobReaches(harness.client, j.input.jobId, (s) => s.waitingFor === 'approval');
      await j.handle.executeUpdate(rejectPlanUpdate, { args: [{ feedback: 'Use a blue theme' }] });
      await until('the second plan', () => round === 2);
      await jobReaches(harness.client, j.input.jobId, (s) => s.waitingFor === 'approval');
      await j.handle.executeUpdate(approvePlanUpdate);
      await expect(j.handle.result()).resolves.toMatchObject({ status: 'completed' });
      const plans = j.fakes.log.filter((c) => c.name === 'planChanges').map((c) => c.input.feedback);
      expect(plans).toEqual([undefined, 'Use a blue theme']);
    } finally {
      await j.cleanup();
    }
  });

  it('fails with loop_detected when the re-plan after a rejection is the same plan', async () => {
    const j = await startJob(jobInput({ settings: settingsWith({ requireApproval: true }) }));
    try {
      await jobReaches(harness.client, j.input.jobId, (s) => s.waitingFor === 'approval');
      await j.handle.executeUpdate(rejectPlanUpdate, { args: [{ feedback: 'Something else' }] });
      expect((await j.failure()).type).toBe('loop_detected');
      expect(j.finish().at(-1)).toMatchObject({ status: 'failed', error: { code: 'loop_detected' } });
    } finally {
      await j.cleanup();
    }
  });

  it('waits for answers to its questions, then plans with them; without an answer it times out', async () => {
    const asking = (fakes: Fakes) => {
      // Asks until it has an answer (the job routes the request again with each answer).
      fakes.codegen = { ...fakes.codegen, classifyIntent: async (input) => ({ ...(await createFakes(fakes.log).codegen.classifyIntent(input)), intent: { kind: 'new_app', summary: 'an app', answer: null, questions: input.request.includes('Answer 1:') ? null : ['Which colour?'] } }) };
    };
    const answered = await startJob(jobInput(), asking);
    const unanswered = await startJob(jobInput({ settings: settingsWith({ approvalTimeoutSeconds: 1 }) }), asking);
    try {
      await jobReaches(harness.client, answered.input.jobId, (s) => s.waitingFor === 'answer');
      await answered.handle.executeUpdate(answerUpdate, { args: [{ answer: 'Blue' }] });
      await expect(answered.handle.result()).resolves.toMatchObject({ status: 'completed' });
      expect(answered.fakes.log.find((c) => c.name === 'planChanges')!.input.request).toContain('Answer 1: Blue');
      await expect(unanswered.handle.result()).resolves.toMatchObject({ status: 'cancelled', error: { code: 'approval_timeout' } });
    } finally {
      await answered.cleanup();
      await unanswered.cleanup();
    }
  });

  it('stops with check_failed after maxFixRounds fix rounds', async () => {
    let n = 0;
    const j = await startJob(jobInput({ settings: settingsWith({ maxFixRounds: 2 }) }), (fakes) => {
      fakes.checks = { typeCheckFiles: failingCheck(() => `error ${++n}`) };
    });
    try {
      expect((await j.failure()).type).toBe('check_failed');
      expect(n).toBe(3);
      expect(callNames(j.fakes.log, ['fixFiles'])).toEqual(['fixFiles', 'fixFiles']);
    } finally {
      await j.cleanup();
    }
  });

  it('stops with loop_detected when a fix brings back the same type errors', async () => {
    const j = await startJob(jobInput(), (fakes) => { fakes.checks = { typeCheckFiles: failingCheck(() => 'the same error') }; });
    try {
      expect((await j.failure()).type).toBe('loop_detected');
      expect(callNames(j.fakes.log, ['fixFiles'])).toEqual(['fixFiles']);
    } finally {
      await j.cleanup();
    }
  });

  it('stops with budget_exceeded once its tokens pass the budget', async () => {
    const j = await startJob(jobInput({ settings: settingsWith({ tokenBudget: 1_000 }) }), (fakes) => {
      fakes.codegen = { ...fakes.codegen, planChanges: async (input) => ({ ...(await createFakes(fakes.log).codegen.planChanges(input)), usage: usage(600) }) };
    });
    try {
      expect((await j.failure()).type).toBe('budget_exceeded');
      expect(j.finish().at(-1)).toMatchObject({ status: 'failed', usage: { promptTokens: 610, completionTokens: 610 } });
    } finally {
      await j.cleanup();
    }
  });

  it('fails at once with payload_too_large on an oversized generated file: no retry, no fresh model call', async () => {
    const j = await startJob(jobInput(), (fakes) => {
      fakes.codegen = { ...fakes.codegen, generateFiles: async (input) => { await createFakes(fakes.log).codegen.generateFiles(input); throw new AppError(ErrorCode.payloadTooLarge, 'File src/App.tsx is 2000000 bytes'); } };
    });
    try {
      expect((await j.failure()).type).toBe('payload_too_large');
      expect(callNames(j.fakes.log, ['generateFiles'])).toEqual(['generateFiles']);
      expect(j.finish().at(-1)).toMatchObject({ status: 'failed', error: { code: 'payload_too_large' } });
    } finally {
      await j.cleanup();
    }
  });

  it('adds the tokens a failed model call spent to the usage it records', async () => {
    const j = await startJob(jobInput(), (fakes) => {
      fakes.codegen = { ...fakes.codegen, planChanges: async () => { throw ApplicationFailure.create({ type: 'llm_bad_request', message: 'refused', nonRetryable: true, details: [{ spentUsage: usage(500) }] }); } };
    });
    try {
      expect((await j.failure()).type).toBe('llm_bad_request');
      expect(j.finish().at(-1)).toMatchObject({ status: 'failed', usage: { promptTokens: 510, completionTokens: 510, calls: 2 } });
    } finally {
      await j.cleanup();
    }
  });

  it('does not retry a lookup of a row that is not there (MikroORM NotFoundError is not_found)', async () => {
    const j = await startJob(jobInput(), (fakes) => {
      fakes.jobs = { ...fakes.jobs, loadBaseVersion: async (input) => { await createFakes(fakes.log).jobs.loadBaseVersion(input); throw NotFoundError.findOneFailed('Project', { id: input.projectId }); } };
    });
    try {
      await j.failure();
      expect(callNames(j.fakes.log, ['loadBaseVersion'])).toEqual(['loadBaseVersion']);
      expect(j.finish().at(-1)).toMatchObject({ status: 'failed', error: { code: 'internal' } });
    } finally {
      await j.cleanup();
    }
  });

  const stages: Array<[JobStage, (fakes: Fakes) => void, (state: { stage: JobStage; waitingFor: string | null }) => boolean]> = [
    ['intent', (f) => { f.codegen = { ...f.codegen, classifyIntent: slowed(f.codegen.classifyIntent, 10_000) }; }, (s) => s.stage === 'intent'],
    ['questions', (f) => {
      f.codegen = { ...f.codegen, classifyIntent: async (input) => ({ ...(await createFakes(f.log).codegen.classifyIntent(input)), intent: { kind: 'new_app', summary: 'an app', answer: null, questions: ['Which colour?'] } }) };
    }, (s) => s.waitingFor === 'answer'],
    ['plan', (f) => { f.codegen = { ...f.codegen, planChanges: slowed(f.codegen.planChanges, 10_000) }; }, (s) => s.stage === 'plan'],
    ['approval', () => undefined, (s) => s.waitingFor === 'approval'],
    ['generate', (f) => { f.codegen = { ...f.codegen, generateFiles: slowed(f.codegen.generateFiles, 10_000) }; }, (s) => s.stage === 'generate'],
    ['check', (f) => { f.checks = { typeCheckFiles: slowed(f.checks.typeCheckFiles, 10_000) }; }, (s) => s.stage === 'check'],
    ['fix', (f) => {
      let checks = 0;
      f.checks = { typeCheckFiles: async () => (++checks === 1 ? { ok: false, diagnostics: [diagnostic('x')], durationMs: 1 } : { ok: true, diagnostics: [], durationMs: 1 }) };
      f.codegen = { ...f.codegen, fixFiles: slowed(f.codegen.fixFiles, 10_000) };
    }, (s) => s.stage === 'fix'],
  ];
  for (const [stage, script, reached] of stages) {
    it(`records cancelled when cancelled at stage ${stage}`, async () => {
      const j = await startJob(jobInput({ settings: settingsWith({ requireApproval: stage === 'approval' }) }), script);
      try {
        await until(`stage ${stage}`, async () => reached(await j.handle.query(jobStateQuery)));
        await j.handle.cancel();
        const err = await j.handle.result().catch((e: unknown) => e);
        expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
        expect(j.finish().at(-1)).toMatchObject({ status: 'cancelled' });
        expect(callNames(j.fakes.log)).not.toContain('saveJobVersion');
      } finally {
        await j.cleanup();
      }
    });
  }

  // The save is a local activity in lean jobs: it runs inside a workflow task, and the server holds
  // a cancel (and any query) until that task ends, when the save returns (or at the SDK's task
  // heartbeat 8 s in). So the save waits for the test, not for a pause that must outlast the
  // heartbeat. The task's completion is then refused (a cancel arrived meanwhile) and the job replays
  // and asks for the save again: the save being the point of no return, the job completes anyway,
  // its row and events agreeing with the version it saved.
  it('completes with its version when cancelled once the save has begun', async () => {
    let releaseSave = () => undefined as void;
    const j = await startJob(jobInput(), (f) => {
      const save = held(f.jobs.saveJobVersion);
      releaseSave = save.release;
      f.jobs = { ...f.jobs, saveJobVersion: save.run };
    });
    try {
      await until('the save to start', () => callNames(j.fakes.log).includes('saveJobVersion'));
      await j.handle.cancel();
      releaseSave();
      await expect(j.handle.result()).resolves.toMatchObject({ status: 'completed', resultVersion: 1 });
      const finished = j.fakes.log.filter((c) => c.name === 'reportJob').flatMap((c) => (c.input as { events?: Array<{ type: string; data: unknown }> }).events ?? [])
        .filter((e) => e.type === 'job.finished');
      // Every report of the end (the refused task's and the replay's, written with the same keys) says completed.
      expect(finished.length).toBeGreaterThan(0);
      for (const e of finished) expect(e.data).toMatchObject({ status: 'completed', resultVersion: 1 });
      expect(j.finish().at(-1)).toMatchObject({ status: 'completed', resultVersion: 1 });
    } finally {
      await j.cleanup();
    }
  });

  it('starts the automatic preview with the configured provider', async () => {
    const j = await startJob(jobInput({ settings: settingsWith({ autoPreview: true }), previewProvider: 'docker' }));
    try {
      await expect(j.handle.result()).resolves.toMatchObject({ status: 'completed' });
      await until('the preview to record itself', () => j.fakes.log.some((c) => c.name === 'recordPreview'));
      const created = j.fakes.log.find((c) => c.name === 'recordPreview')!.input.create;
      expect(created).toMatchObject({ provider: 'docker', version: 1 });
      await until('the preview server to start', () => j.fakes.log.some((c) => c.name === 'startPreviewServer'));
      expect(j.fakes.log.find((c) => c.name === 'startPreviewServer')!.input.provider).toBe('docker');
    } finally {
      await j.cleanup();
    }
  });
});
