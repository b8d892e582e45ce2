import { readdirSync, readFileSync } from 'node:fs';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJson } from './history-json';

/**
 * The workflow histories checked in under test/replay-histories/, in Temporal's JSON history
 * format (what `temporal workflow show --output json` writes and the Web UI downloads). The named
 * ones are recorded by scripts/record-histories.ts; any other .json there is replayed as well.
 * The delivery workflows' histories come from runs with faked activities: the workflow's commands
 * are what replay checks, and faked activities let each branch be recorded on purpose.
 */
export const recordedHistories = {
  /** A session with two messages (queued by signal), closed at the end. */
  session: 'session.json',
  /** Its first job: intent, questions, intent again with the answer, plan, approval, generate, check, fix, check, save. */
  fullJob: 'codegen-job-all-stages.json',
  /** Its second job: a question, answered without a plan. */
  questionJob: 'codegen-job-question.json',
  /**
   * The same three as an earlier build recorded them, before the `codegen-job-2026-12` patch: the
   * session's messages as `sendMessage` updates, a plan's files one `generateFile` activity each,
   * `codegen-lean-orchestration` the job's one patch. Not re-recorded.
   */
  sessionBeforeBatched: 'session.before-batched-generation.json',
  fullJobBeforeBatched: 'codegen-job-all-stages.before-batched-generation.json',
  questionJobBeforeBatched: 'codegen-job-question.before-batched-generation.json',
  /**
   * The same three recorded before the `codegen-lean-orchestration` patch (bookkeeping as normal
   * activities, whole file maps in inputs): jobs of that code may still be running, so they must
   * keep replaying. Not re-recorded.
   */
  sessionBeforeLean: 'session.before-lean.json',
  fullJobBeforeLean: 'codegen-job-all-stages.before-lean.json',
  questionJobBeforeLean: 'codegen-job-question.before-lean.json',
  /**
   * The session recorded before the `session-answer-when-queued` patch: `sendMessage` awaited the
   * job row (a local activity) before answering. Not re-recorded.
   */
  sessionBeforeQueuedAnswer: 'session.before-queued-answer.json',
  /**
   * A session (two messages, closed) and its first job recorded before the
   * `forge-opentelemetry-traced-starts` patch, when every run that recorded `forge-opentelemetry`
   * was traced, although the API's tracing was off (a trace header without a trace context). A
   * session moves to each new build mid-run, so such runs must keep replaying traced. Not re-recorded.
   */
  sessionTracingAlways: 'session.before-traced-only.json',
  jobTracingAlways: 'codegen-job.before-traced-only.json',
  /** A preview built, started, checked, extended and deleted (activities faked). */
  preview: 'preview.json',
  /** A deployment promoted over a live one, which it frees. */
  deployment: 'deployment.json',
  /** A deployment whose health check failed, rolled back to the live one. */
  deploymentRolledBack: 'deployment-rolled-back.json',
  /** A deployment cancelled while deploying: what it created removed, the row `failed`. */
  deploymentCancelled: 'deployment-cancelled.json',
  /** One sweep of the preview reaper. */
  reaper: 'preview-reaper.json',
} as const;

export type RecordedHistory = keyof typeof recordedHistories;

const directory = new URL('../replay-histories/', import.meta.url);

export const recordedHistoryUrl = (name: RecordedHistory) => new URL(recordedHistories[name], directory);

const load = (file: string): History => historyFromJson(JSON.parse(readFileSync(new URL(file, directory), 'utf8')));

export const loadRecordedHistory = (name: RecordedHistory): History => load(recordedHistories[name]);

/** Every history in the directory, by file name. */
export const loadAllHistories = (): Array<{ file: string; history: History }> =>
  readdirSync(directory).filter((file) => file.endsWith('.json')).sort().map((file) => ({ file, history: load(file) }));
