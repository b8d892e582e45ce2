import {
  CancellationScope,
  condition,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobPlan, JobStage, JobStatus } from '../domain/agents';
import { withChanges, type FileSet, type JobCheckpoint, type JobOutcome, type JobPatch, type JobWorkflowInput } from '../domain/agent-workflows';
import { DEFAULT_QUESTION_ROUNDS } from '../domain/session-limits';
import { buildsQueueFor } from '../domain/task-queues';
import { addUsage, emptyUsage, totalTokens, type Usage } from '../domain/usage';
import { previewWorkflowId } from '../domain/workflow-ids';
import type { createJobActivities } from '../activities/agents/job-activities';
import type { createCodegenActivities } from '../activities/codegen/codegen-activities';
import type { createCheckActivities } from '../activities/codegen/check-activities';
import type { createBuildChannelActivities } from '../activities/deployments/build-channel-activities';
import { bookkeeping, build, llmCall, storageWrite } from './activity-options';
import { answerUpdate, approvePlanUpdate, jobStateQuery, rejectPlanUpdate } from './codegen/job-signals';
import { jobFailure, spentUsageOf, toJobError } from './codegen/job-failure';
import { mapLimited } from '../domain/map-limited';
import { previewWorkflow } from './preview';
import { workflowProgress, type ProgressReport } from './progress';
import { searchAttributesOf } from './workflow-search-attributes';

type JobActivities = ReturnType<typeof createJobActivities>;
const jobActivities = proxyActivities<JobActivities>(storageWrite);
const jobLocalActivities = proxyLocalActivities<JobActivities>(bookkeeping);
type ChannelActivities = ReturnType<typeof createBuildChannelActivities>;
const channel = proxyActivities<ChannelActivities>(storageWrite);
const localChannel = proxyLocalActivities<ChannelActivities>(bookkeeping);
/**
 * A cancellation reaches an activity only in the answer to a heartbeat, and the SDK forwards
 * heartbeats at most every 0.8 x heartbeatTimeout: model calls beat every second
 * (codegen-activities.ts), so a short timeout is what lets a cancel abort a running call in seconds.
 */
const llmOptions = { ...llmCall, heartbeatTimeout: '5 seconds' };
const llm = proxyActivities<ReturnType<typeof createCodegenActivities>>(llmOptions);

/**
 * One chat message, end to end: intent, questions, plan, approval, generate, check, fix, save.
 * Every stage is recorded (job row, durable events, checkpoint) so a retry resumes where it stopped.
 */
export async function codegenJobWorkflow(input: JobWorkflowInput): Promise<JobOutcome> {
  const { jobId, settings } = input;
  // Every behaviour below that came with a patch, in one marker: each patch a run records costs a
  // marker and an upsert of TemporalChangeVersion (a visibility write on the server), and a job
  // started since this build records this one alone. Runs recorded before it (the replay test's
  // histories) never see it and ask the older patches, each at its old place.
  const current = patched('codegen-job-2026-12');
  const since = (patch: string) => current || patched(patch);
  // Jobs started since this patch do their bookkeeping as local activities and refer to their files
  // (FileTree) instead of copying the project's path -> hash map into every input and checkpoint.
  // Asked once, first: histories recorded before it replay the old command sequence.
  const lean = since('codegen-lean-orchestration');
  // Builders have no blob store: the agents side reads the contents for them. Asked once, here, not
  // between the check stage's local activities: histories from before the builder split replay.
  const checkFromAgents = since('check-contents-from-agents');
  // Since this patch the contents are read by a local activity: no task and no workflow task of its own.
  const contentsReader = since('check-contents-local') ? localChannel : channel;
  const jobs = lean ? jobLocalActivities : jobActivities;
  const checkOptions = { ...build, taskQueue: buildsQueueFor(workflowInfo().taskQueue) };
  const checks = proxyActivities<ReturnType<typeof createCheckActivities>>(checkOptions);
  const cp: JobCheckpoint = { ...input.resume };
  let usage: Usage = cp.usage ?? emptyUsage();
  let status: JobStatus = 'running';
  let stage: JobStage = 'intent';
  let waitingFor: 'approval' | 'answer' | null = null;
  const answers = [...(cp.answers ?? [])];
  let decision: Decision | undefined;

  setHandler(jobStateQuery, () => ({ status, stage, waitingFor, tokens: totalTokens(usage) }));
  setHandler(approvePlanUpdate, () => { decision = { approved: true }; return { ok: true as const }; }, {
    validator: () => { if (waitingFor !== 'approval') throw new Error('This job is not waiting for plan approval'); },
  });
  setHandler(rejectPlanUpdate, ({ feedback }) => { decision = { approved: false, feedback }; return { ok: true as const }; }, {
    validator: (_input) => { if (waitingFor !== 'approval') throw new Error('This job is not waiting for plan approval'); },
  });
  setHandler(answerUpdate, ({ answer }) => { answers.push(answer); return { ok: true as const }; }, {
    validator: (_input) => { if (waitingFor !== 'answer') throw new Error('This job is not waiting for an answer'); },
  });

  const statusLine = (note: string) => `**${status}** at stage \`${stage}\`${note ? `: ${note}` : ''} · ${totalTokens(usage)} tokens`;
  // Batched only in runs since the lean patch: older histories replay one report activity per report.
  const progress = workflowProgress<JobStage, JobPatch>({
    send: ({ patch, events }) => jobs.reportJob({ jobId, patch, events }),
    // `enter` below sets `status` and `stage` first: the query, the row and the status line agree.
    entered: (next, detail) => ({ patch: { status, stage: next }, event: { type: 'job.stage', data: { status, stage: next, detail } }, details: statusLine(detail) }),
    batch: lean,
  });
  const { report, flush } = progress;
  /**
   * A model stage's call, with the report queued before it (the stage entered, the checkpoint): since
   * this build the activity writes that report before its first model call, so a stage is one task,
   * not a local activity and then a task; runs recorded before flush it first.
   */
  const withReport = async <T>(call: (report: ProgressReport<JobPatch> | undefined) => Promise<T>): Promise<T> => {
    if (!current) {
      await flush();
      return call(undefined);
    }
    const result = await call(progress.handOff() ?? undefined);
    progress.received();
    return result;
  };
  const enter = (next: JobStage, nextStatus: JobStatus = 'running', detail = '') => {
    stage = next;
    status = nextStatus;
    return progress.enter(next, detail);
  };
  const charge = (spent: Omit<Usage, 'calls'>) => {
    usage = addUsage(usage, spent);
    if (totalTokens(usage) > settings.tokenBudget) {
      throw jobFailure('budget_exceeded', `The job used ${totalTokens(usage)} tokens, over its budget of ${settings.tokenBudget}`);
    }
  };
  const checkpoint = () => report({ usage, checkpoint: { ...cp, answers, usage } });
  const request = () => [input.content, ...answers.map((a, i) => `Answer ${i + 1}: ${a}`)].join('\n\n');

  try {
    await enter('intent', 'running', 'reading the request');
    cp.base ??= lean ? await jobs.loadBaseVersion({ projectId: input.projectId }) : await jobs.loadBase({ projectId: input.projectId });
    const base = cp.base;
    // A checkpoint from before the tree carries the whole map; otherwise refer to the version.
    const baseFiles: FileSet = base.files ?? { projectId: input.projectId, baseVersion: base.version, changes: {} };
    await report({ baseVersion: base.version });
    // Patched: histories from before multi-round questioning asked at most once and never re-routed.
    const questionRounds = since('question-rounds') ? (settings.maxQuestionRounds ?? DEFAULT_QUESTION_ROUNDS) : 1;
    for (;;) {
      // Re-route after each answer: the answers may settle the request or raise new questions.
      if (!cp.intent || (questionRounds > 1 && (cp.intentAnswers ?? 0) < answers.length)) {
        if (cp.intent) await enter('intent', 'running', 're-reading the request with the answers');
        const result = await withReport((report) => llm.classifyIntent.executeWithOptions({ ...llmOptions, summary: 'Route the message: new app, edit, question or fix' }, [{ jobId, request: request(), files: baseFiles, report }]));
        charge(result.usage);
        cp.intent = result.intent;
        cp.intentAnswers = answers.length;
        await checkpoint();
      }
      const asked = cp.intent.questions ?? [];
      if (cp.intent.kind === 'question' || asked.length === 0 || answers.length >= questionRounds) break;
      // Counted before the validator opens: an answer may arrive while the questions are being reported.
      const before = answers.length;
      waitingFor = 'answer';
      await report({ intent: cp.intent.kind, questions: asked }, [{ type: 'questions', data: { questions: asked, round: answers.length + 1 } }]);
      await enter('questions', 'waiting', 'waiting for an answer');
      await flush();
      const answered = await condition(() => answers.length > before, settings.approvalTimeoutSeconds * 1000);
      waitingFor = null;
      if (!answered) return await stopWaiting('No answer arrived in time');
      const given = answers.slice(before).map((answer) => ({ type: 'questions.answered', data: { answer, round: before + 1 } }));
      await report({ usage, checkpoint: { ...cp, answers, usage } }, given);
    }
    const intent = cp.intent;
    if (intent.kind === 'question') {
      await report({ intent: 'question', answer: intent.answer ?? '' }, [{ type: 'answer', data: { text: intent.answer ?? '' } }]);
      return await finish('completed', null);
    }

    let rejected: JobPlan | undefined;
    let feedback: string | undefined;
    while (!cp.plan) {
      await enter('plan', 'running', feedback ? 're-planning with feedback' : 'planning the change');
      const result = await withReport((report) => llm.planChanges.executeWithOptions({ ...llmOptions, summary: feedback ? 'Re-plan with the reviewer feedback' : 'Plan the files to change' }, [{ jobId, request: request(), intent, files: baseFiles, feedback, report }]));
      charge(result.usage);
      if (rejected && samePlan(rejected, result.plan)) throw jobFailure('loop_detected', 'The model proposed the same plan again after it was rejected');
      await report({ plan: result.plan, intent: intent.kind }, [{ type: 'plan', data: result.plan }]);
      if (settings.requireApproval) {
        decision = undefined;
        waitingFor = 'approval';
        await enter('approval', 'waiting', 'waiting for plan approval');
        await flush();
        const decided = await condition(() => decision !== undefined, settings.approvalTimeoutSeconds * 1000);
        waitingFor = null;
        if (!decided) return await stopWaiting('The plan was not approved in time');
        const verdict = decision as Decision | undefined;
        if (verdict && !verdict.approved) {
          rejected = result.plan;
          feedback = verdict.feedback;
          await report({}, [{ type: 'plan.rejected', data: { feedback } }]);
          continue;
        }
        await report({}, [{ type: 'plan.approved', data: {} }]);
      }
      cp.plan = result.plan;
      await checkpoint();
    }

    const plan = cp.plan;
    if (!cp.generated) {
      await enter('generate', 'running', `writing ${plan.files.length} files`);
      const generateInput = { jobId, projectId: input.projectId, request: request(), plan, files: baseFiles };
      // Since this patch one activity writes the plan's files (one task, one history entry), not one each.
      if (since('generate-files-in-one-activity')) {
        // Minutes per file with a real model: the heartbeat timeout, not this one, notices a dead worker.
        const options = { ...llmOptions, startToCloseTimeout: '30 minutes', summary: `Write ${plan.files.length} files` } as const;
        const written = await withReport((report) => llm.generateFiles.executeWithOptions(options, [{ ...generateInput, concurrency: settings.generateConcurrency, report }]));
        charge(written.usage);
        cp.generated = withChanges(baseFiles, written.files);
      } else {
        await flush();
        const written = await mapLimited(plan.files, settings.generateConcurrency, (file) =>
          llm.generateFile.executeWithOptions({ ...llmOptions, summary: `${file.action} ${file.path}` }, [{ ...generateInput, file }]),
        );
        for (const w of written) charge(w.usage);
        cp.generated = withChanges(baseFiles, Object.fromEntries(written.map((w) => [w.path, w.hash])));
      }
      await checkpoint();
    }

    let files = cp.generated;
    let previousDiagnostics = '';
    for (let round = 0; ; round++) {
      await enter('check', 'running', round === 0 ? 'type-checking' : `type-checking after fix round ${round}`);
      await flush();
      const checkInput = checkFromAgents ? { contents: await contentsReader.readCheckFiles({ files }) } : { files };
      const result = await checks.typeCheckFiles.executeWithOptions({ ...checkOptions, summary: `Type-check (round ${round})` }, [checkInput]);
      await report({}, [{ type: 'check.result', data: { ok: result.ok, round, diagnostics: result.diagnostics.slice(0, 50) } }]);
      if (result.ok) break;
      if (round >= settings.maxFixRounds) {
        throw jobFailure('check_failed', `The code still has ${result.diagnostics.length} type errors after ${round} fix rounds`, { diagnostics: result.diagnostics.slice(0, 50) });
      }
      const fingerprint = JSON.stringify(result.diagnostics.map((d) => [d.file, d.code, d.message]));
      if (fingerprint === previousDiagnostics) throw jobFailure('loop_detected', 'The same type errors came back after a fix', { diagnostics: result.diagnostics.slice(0, 50) });
      previousDiagnostics = fingerprint;
      await enter('fix', 'running', `fixing ${result.diagnostics.length} type errors (round ${round + 1})`);
      const fixed = await withReport((report) => llm.fixFiles.executeWithOptions({ ...llmOptions, summary: `Fix ${result.diagnostics.length} type errors` }, [{ jobId, projectId: input.projectId, diagnostics: result.diagnostics, files, report }]));
      charge(fixed.usage);
      files = withChanges(files, fixed.files);
    }

    // The save is the point of no return: once it has begun, the job completes. Its local activities
    // write the version, then the row and events that say so, before the workflow task that records
    // them ends; a cancel arriving meanwhile had that task's completion refused and the job end
    // `cancelled` over a saved version. No command changes unless a cancel comes: no patch needed.
    return await CancellationScope.nonCancellable(async () => {
      await enter('save', 'running', 'saving a new version');
      const saved = await jobs.saveJobVersion({ jobId, projectId: input.projectId, actorId: input.actorId, base, files, message: plan.message });
      await report({}, [{ type: 'version.saved', data: { version: saved.number } }]);
      // Patched so histories recorded before jobs started previews still replay.
      if (settings.autoPreview !== false && since('codegen-starts-preview')) await startPreview(saved.number);
      return finish('completed', saved.number);
    });
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => finish('cancelled', null));
      throw err;
    }
    const error = toJobError(err);
    const spent = spentUsageOf(err);
    if (spent) usage = addUsage(usage, spent);
    await finish('failed', null, error);
    throw jobFailure(error.code, error.message, error.details);
  }

  async function finish(final: JobOutcome['status'], resultVersion: number | null, error: JobOutcome['error'] = null): Promise<JobOutcome> {
    status = final;
    setCurrentDetails(statusLine(error ? `${error.code}: ${error.message}` : ''));
    await report(
      { status: final, resultVersion, error, usage, checkpoint: { ...cp, answers, usage } },
      [{ type: 'job.finished', data: { status: final, resultVersion, error } }],
    );
    await flush();
    return { status: final, resultVersion, error, usage };
  }

  /** A preview of the new version, as a child that outlives the job (ABANDON): the job does not wait for it. */
  async function startPreview(version: number): Promise<void> {
    const previewId = uuid4();
    await startChild(previewWorkflow, {
      workflowId: previewWorkflowId(previewId),
      args: [{ previewId, projectId: input.projectId, organizationId: input.organizationId, version, requestedBy: null, provider: input.previewProvider }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Preview of version ${version} saved by job ${jobId}`,
      typedSearchAttributes: searchAttributesOf.preview(input),
    });
    await report({}, [{ type: 'preview.started', data: { previewId, version } }]);
  }

  async function stopWaiting(message: string): Promise<JobOutcome> {
    return finish('cancelled', null, { code: 'approval_timeout', message });
  }
}

type Decision = { approved: true } | { approved: false; feedback: string };

const samePlan = (a: JobPlan, b: JobPlan) =>
  JSON.stringify(a.files.map((f) => [f.path, f.action])) === JSON.stringify(b.files.map((f) => [f.path, f.action])) && a.summary === b.summary;
