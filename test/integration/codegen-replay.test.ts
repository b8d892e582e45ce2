import { fileURLToPath } from 'node:url';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import '../support/quiet-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../telemetry/tracing';
import { tracingWorkerOptions } from '../../worker/tracing-options';
import { loadWorkflowBundle } from '../../worker/workflow-bundle-cache';
import { loadAllHistories, loadRecordedHistory, recordedHistories, type RecordedHistory } from '../support/recorded-histories';
import { acceptedUpdates, activityInputs, headersSent, localActivities, recordedPatches, scheduledActivities, startedChildren, updateCompletedBefore, workflowTasks } from '../support/workflow-history';

/**
 * Determinism guard: histories of real runs (test/replay-histories/, re-recorded only by
 * scripts/record-histories.ts) replay against today's workflow code: sessions and jobs, previews,
 * deployments and the reaper. A change that would break workflows already running in production (a reordered, added or removed activity, timer
 * or child) fails here instead; such a change needs `patched()` or a new workflow type.
 */

const names = Object.keys(recordedHistories) as RecordedHistory[];
const histories = Object.fromEntries(names.map((name) => [name, loadRecordedHistory(name)])) as Record<RecordedHistory, ReturnType<typeof loadRecordedHistory>>;


let workflowBundle: WorkflowBundle;
beforeAll(async () => { workflowBundle = (await loadWorkflowBundle()).bundle; });

describe('recorded workflow histories', () => {
  it('replay against the current workflow code without a determinism error', async () => {
    const all = loadAllHistories();
    expect(all.map((h) => h.file)).toEqual(expect.arrayContaining(Object.values(recordedHistories)));
    const results = [];
    const replay = all.map(({ file, history }) => ({ workflowId: file, history }));
    // Traced runs (the histories of earlier builds that recorded `forge-opentelemetry`) export their spans through a sink.
    const { sinks } = tracingWorkerOptions(startTracing({ serviceName: 'forge-replay' }));
    for await (const result of Worker.runReplayHistories({ workflowBundle, sinks, replayName: 'forge-replay' }, replay)) {
      results.push({ workflowId: result.workflowId, error: result.error ? `${result.error.name}: ${result.error.message}` : null });
    }
    expect(results).toEqual(all.map(({ file }) => ({ workflowId: file, error: null })));
  });

  it('cover every stage of a job, its commands, and a session running jobs as children', () => {
    const job = scheduledActivities(histories.fullJob);
    // A plan's files are one activity; the check's contents are read by a local activity.
    expect(new Set(job)).toEqual(new Set(['classifyIntent', 'planChanges', 'generateFiles', 'typeCheckFiles', 'fixFiles']));
    expect(job.filter((type) => type === 'generateFiles')).toHaveLength(1);
    // Postgres bookkeeping, the version save and the check's contents run as local activities.
    expect(new Set(localActivities(histories.fullJob))).toEqual(new Set(['reportJob', 'loadBaseVersion', 'readCheckFiles', 'saveJobVersion']));
    expect(job.filter((type) => type === 'typeCheckFiles')).toHaveLength(2);
    // One patch marker for every behaviour of this build (plus the tracing decision's).
    expect(recordedPatches(histories.fullJob)).toEqual(['forge-opentelemetry-traced-starts', 'codegen-job-2026-12']);
    expect(acceptedUpdates(histories.fullJob)).toEqual(['answer', 'approvePlan']);
    expect(scheduledActivities(histories.questionJob)).toContain('classifyIntent');
    expect(scheduledActivities(histories.questionJob)).not.toContain('planChanges');

    // Builds before: one activity per file, each behaviour behind a patch of its own; they still replay.
    expect(scheduledActivities(histories.fullJobBeforeBatched).filter((type) => type === 'generateFile').length).toBeGreaterThan(1);
    expect(recordedPatches(histories.fullJobBeforeBatched)).toEqual(['codegen-lean-orchestration']);
    expect(scheduledActivities(histories.jobTracingAlways)).toContain('readCheckFiles');
    expect(new Set(scheduledActivities(histories.fullJobBeforeLean))).toEqual(new Set(['classifyIntent', 'planChanges', 'generateFile', 'typeCheckFiles', 'fixFiles', 'reportJob', 'loadBase', 'saveJobVersion']));
    expect(localActivities(histories.fullJobBeforeLean)).toEqual([]);

    // Messages arrive as signals: the API writes the job row, the session only runs the children.
    expect(acceptedUpdates(histories.session)).toEqual([]);
    expect(startedChildren(histories.session)).toEqual(['codegenJobWorkflow', 'codegenJobWorkflow']);
    expect(scheduledActivities(histories.session)).toEqual(['closeSession']);
    expect(localActivities(histories.session)).toEqual([]);
    // Before, messages were `sendMessage` updates, answered once queued, the row an activity task after the answer.
    expect(acceptedUpdates(histories.sessionBeforeBatched)).toEqual(['sendMessage', 'sendMessage']);
    expect(updateCompletedBefore(histories.sessionBeforeBatched, 'createJob')).toBe(true);
    expect(scheduledActivities(histories.sessionBeforeQueuedAnswer)).toEqual(['closeSession']);
    expect(localActivities(histories.sessionBeforeQueuedAnswer)).toEqual(['createJob', 'createJob']);
    expect(scheduledActivities(histories.sessionBeforeLean)).toEqual(['createJob', 'createJob', 'closeSession']);
    // There, each update waited for its createJob activity.
    expect(updateCompletedBefore(histories.sessionBeforeLean, 'createJob')).toBe(false);
  });

  it('keep a job history small: references to files, bookkeeping inside workflow tasks', () => {
    // Every file-taking model activity gets the tree (base version + the job's own changes), never a
    // map; the builder's check gets the contents the local readCheckFiles read for it.
    for (const type of ['classifyIntent', 'planChanges', 'generateFiles', 'fixFiles']) {
      for (const input of activityInputs(histories.fullJob, type)) {
        expect(Object.keys((input as { files: object }).files).sort(), type).toEqual(['baseVersion', 'changes', 'projectId']);
      }
    }
    // Same session, same stages: fewer workflow tasks and events than each build before.
    expect(workflowTasks(histories.fullJob)).toBeLessThan(workflowTasks(histories.fullJobBeforeBatched));
    expect((histories.fullJob.events ?? []).length).toBeLessThan((histories.fullJobBeforeBatched.events ?? []).length);
    expect(workflowTasks(histories.fullJobBeforeBatched) * 2).toBeLessThan(workflowTasks(histories.fullJobBeforeLean));
  });

  it('cover runs of the build that traced every run, started by an API with tracing off', () => {
    const session = histories.sessionTracingAlways;
    expect(recordedPatches(session)).toEqual(['forge-opentelemetry']);
    // The API's client interceptor sent its header, with no trace context in it.
    expect(headersSent(session, '_tracer-data').start).toEqual({});
    expect(startedChildren(session)).toEqual(['codegenJobWorkflow', 'codegenJobWorkflow']);
    // Traced all the same: its own trace, carried on to its jobs.
    expect(headersSent(session, '_tracer-data').children).toEqual([
      { traceparent: expect.any(String) },
      { traceparent: expect.any(String) },
    ]);
    expect(recordedPatches(histories.jobTracingAlways)).toContain('forge-opentelemetry');
    expect(headersSent(histories.jobTracingAlways, '_tracer-data').activities).toContainEqual({ traceparent: expect.any(String) });
  });

  it('cover the delivery workflows: a preview\'s lifetime, a deployment live, rolled back and cancelled, a reaper sweep', () => {
    expect(scheduledActivities(histories.preview)).toEqual(expect.arrayContaining(['buildVersion', 'startPreviewServer', 'checkHealth', 'removeResource', 'removeBuild']));
    expect(acceptedUpdates(histories.preview)).toEqual(['extendPreview', 'destroyPreview']);
    expect(scheduledActivities(histories.deployment)).toEqual(expect.arrayContaining(['deployRelease', 'checkHealth', 'promoteDeployment', 'destroyRelease']));
    expect(scheduledActivities(histories.deploymentRolledBack)).toContain('rollbackRelease');
    expect(scheduledActivities(histories.deploymentCancelled)).toEqual(expect.arrayContaining(['deployRelease', 'removeResource', 'removeBuild']));
    expect(scheduledActivities(histories.deploymentCancelled)).not.toContain('promoteDeployment');
    expect(scheduledActivities(histories.reaper)).toEqual(['reapOrphanedResources', 'listLocalResources', 'unownedResources']);
  });

  it('catch a workflow change that breaks replay', async () => {
    const altered = fileURLToPath(new URL('../support/nondeterministic-workflows.ts', import.meta.url));
    await expect(Worker.runReplayHistory({ workflowsPath: altered, replayName: 'forge-replay-altered' }, histories.fullJob))
      .rejects.toMatchObject({ name: 'DeterminismViolationError' });
  });
});
