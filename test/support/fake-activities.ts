import { ApplicationFailure } from '@temporalio/common';
import type { createJobActivities } from '../../activities/agents/job-activities';
import type { createCheckActivities } from '../../activities/codegen/check-activities';
import type { createCodegenActivities, StageReport } from '../../activities/codegen/codegen-activities';
import type { BuildActivities } from '../../activities/builds/build-activities';
import type { createBuildChannelActivities } from '../../activities/deployments/build-channel-activities';
import type { createDeliveryRecordActivities } from '../../activities/deployments/record-activities';
import type { createReaperActivities } from '../../activities/deployments/reaper-activities';
import type { JobPlan, Usage } from '../../domain/agents';
import type { ProviderRef } from '../../domain/providers';

/**
 * Typed fakes of every activity group, for workflow tests (test/workflows/): each is the real
 * factory's return type, so a renamed activity or a changed signature fails the type check here.
 * They record each call in order on a shared log and answer like a healthy system; a test
 * replaces one function with a spread (`{ ...fakes.jobs, createJob: failing }`) to script a branch.
 */
export type JobActivities = ReturnType<typeof createJobActivities>;
export type CodegenActivities = ReturnType<typeof createCodegenActivities>;
export type CheckActivities = ReturnType<typeof createCheckActivities>;
export type RecordActivities = ReturnType<typeof createDeliveryRecordActivities>;
/** Builds-queue activities; the provider ones among them also run on the agents queue for hosted providers. */
export type BuilderActivities = Omit<BuildActivities, 'typeCheckFiles' | 'probeBuildWorkspace'>;
export type ChannelActivities = ReturnType<typeof createBuildChannelActivities>;
export type ReaperActivities = ReturnType<typeof createReaperActivities>;

export interface ActivityCall {
  name: string;
  input: any;
}

export const usage = (tokens = 10): Usage => ({ promptTokens: tokens, completionTokens: tokens, calls: 1 });
export const plan: JobPlan = { summary: 'A counter', message: 'Add a counter', files: [{ path: 'src/App.tsx', action: 'create', why: 'the counter' }] };
export const refFor = (resource: string, port = 5999): ProviderRef => ({ provider: 'local', resource, url: `http://127.0.0.1:${port}/`, data: {} });

/**
 * Resolves when `done` does, or rejects at once when the activity is cancelled. A normal activity
 * hears its cancellation only in the answer to a heartbeat, so it beats; a local one hears it from
 * its own worker and must not (core knows no such activity: each beat is a logged failure).
 */
async function activityWait(done: Promise<unknown>): Promise<void> {
  const { Context } = await import('@temporalio/activity');
  const context = Context.current();
  const beat = context.info.isLocal ? undefined : setInterval(() => context.heartbeat(), 200);
  try {
    await Promise.race([done, context.cancelled]);
  } finally {
    clearInterval(beat);
  }
}

/** Resolves after `ms`, or rejects at once when the activity is cancelled (its timer cleared either way). */
export async function activityPause(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await activityWait(new Promise((resolve) => { timer = setTimeout(resolve, ms); }));
  } finally {
    clearTimeout(timer);
  }
}

/** `fn` (logged as usual), then a pause of `ms` before it answers: a step a test can cancel in the middle of. */
export const slowed = <I, O>(fn: (input: I) => Promise<O>, ms: number) => async (input: I): Promise<O> => {
  const result = await fn(input);
  await activityPause(ms);
  return result;
};

/**
 * `fn` (logged as usual), then held until the test calls `release()` or the activity is cancelled:
 * a step that ends when the test says, not after a guessed pause. Calls made after `release()` (a
 * retry, a replay asking again) answer at once.
 */
export function held<I, O>(fn: (input: I) => Promise<O>) {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  return {
    run: async (input: I): Promise<O> => {
      const result = await fn(input);
      await activityWait(released);
      return result;
    },
    release: () => release(),
  };
}

export const finalFailure = (type: string, message = type) => ApplicationFailure.create({ type, message, nonRetryable: true });

export function createFakes(log: ActivityCall[] = []) {
  const note = (name: string, input: unknown) => void log.push({ name, input });
  const jobs: JobActivities = {
    createJob: async (input) => note('createJob', input),
    reportJob: async (input) => note('reportJob', input),
    loadBase: async (input) => (note('loadBase', input), { version: null, files: {} }),
    loadBaseVersion: async (input) => (note('loadBaseVersion', input), { version: null }),
    saveJobVersion: async (input) => (note('saveJobVersion', input), { number: 1 }),
    closeSession: async (input) => note('closeSession', input),
  };
  // A model activity writes the stage report it was handed first, as the real ones do (through the
  // current jobs fakes, so a test's replacement of reportJob sees it).
  const reported = async (name: string, input: { jobId: string; report?: StageReport | undefined }) => {
    if (input.report) await fakes.jobs.reportJob({ jobId: input.jobId, ...input.report });
    note(name, input);
  };
  const codegen: CodegenActivities = {
    classifyIntent: async (input) => (await reported('classifyIntent', input), { intent: { kind: 'new_app', summary: 'an app', answer: null, questions: null }, usage: usage() }),
    planChanges: async (input) => (await reported('planChanges', input), { plan, usage: usage() }),
    generateFile: async (input) => (await reported('generateFile', input), { path: input.file.path, hash: 'a'.repeat(64), usage: usage() }),
    generateFiles: async (input) => (await reported('generateFiles', input), { files: Object.fromEntries(input.plan.files.map((f) => [f.path, f.action === 'delete' ? null : 'a'.repeat(64)])), usage: usage() }),
    fixFiles: async (input) => (await reported('fixFiles', input), { files: { 'src/App.tsx': 'b'.repeat(64) }, usage: usage() }),
  };
  const checks: CheckActivities = {
    typeCheckFiles: async (input) => (note('typeCheckFiles', input), { ok: true, diagnostics: [], durationMs: 1 }),
  };
  const records: RecordActivities = {
    recordPreview: async (input) => note('recordPreview', input),
    recordDeployment: async (input) => note('recordDeployment', input),
    findLiveDeployment: async (input) => (note('findLiveDeployment', input), null),
    promoteDeployment: async (input) => (note('promoteDeployment', input), null),
  };
  const builder: BuilderActivities = {
    buildVersion: async (input) => (note('buildVersion', input), { artifactDir: `/tmp/fake-${input.buildId}`, rootElementId: 'root', logTail: [], dependencies: null, durationsMs: {} }),
    startPreviewServer: async (input) => (note('startPreviewServer', input), refFor(input.resource)),
    removeResource: async (input) => note('removeResource', input),
    deployRelease: async (input) => (note('deployRelease', input), refFor(input.resource)),
    rollbackRelease: async (input) => (note('rollbackRelease', input), input.to),
    destroyRelease: async (input) => note('destroyRelease', input),
    listLocalResources: async () => [],
    checkHealth: async (input) => (note('checkHealth', input), { ok: true, problems: [], serverLog: [] }),
    removeBuild: async (input) => note('removeBuild', input),
  };
  // The agents side of a delivery: the files channel and what it records of the builder's results.
  const channel: ChannelActivities = {
    loadBuildFiles: async () => [],
    readCheckFiles: async () => ({}),
    recordBuildStages: async () => undefined,
    recordHealthCheck: async (input) => {
      if (!input.verdict.ok) throw finalFailure('health_check_failed', input.verdict.problems.join('; '));
    },
  };
  const reaper: ReaperActivities = {
    unownedResources: async () => [],
    reapOrphanedResources: async () => (note('reapOrphanedResources', {}), { checked: 0, removed: [], skipped: [] }),
  };
  const fakes = { log, jobs, codegen, checks, records, builder, channel, reaper };
  return fakes;
}
export type Fakes = ReturnType<typeof createFakes>;

/** The names of the calls in the log, optionally only those in `only`. */
export const callNames = (log: ActivityCall[], only?: string[]) => log.map((c) => c.name).filter((n) => !only || only.includes(n));
