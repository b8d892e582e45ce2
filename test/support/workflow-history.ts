import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * Reading a workflow's event history the way an operator does in `temporal workflow show`: which
 * activities ran and completed, which updates arrived, and where a reset may resume.
 */

type HistoryEvent = NonNullable<History['events']>[number];

const events = (history: History): HistoryEvent[] => history.events ?? [];
const idOf = (value: { toString(): string } | null | undefined) => Number(value?.toString());

const scheduledTypes = (history: History) =>
  new Map(events(history).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[idOf(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '']] : [])));

/** Activity types in the order they were scheduled (with repeats). */
export const scheduledActivities = (history: History): string[] => [...scheduledTypes(history).values()];

/** How many activities of `type` have completed in this history. */
export function completedActivities(history: History, type: string): number {
  const types = scheduledTypes(history);
  return events(history).filter((e) => e.activityTaskCompletedEventAttributes && types.get(idOf(e.activityTaskCompletedEventAttributes.scheduledEventId)) === type).length;
}

/**
 * The attempt each started activity of `type` was on when it last started: the server records only
 * the last attempt of a retried activity, so `[2]` means one activity, retried once.
 */
export function startedAttempts(history: History, type: string): number[] {
  const types = scheduledTypes(history);
  return events(history).flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started && types.get(idOf(started.scheduledEventId)) === type ? [started.attempt ?? 0] : [];
  });
}

/** Names of the updates the workflow accepted. */
export const acceptedUpdates = (history: History): string[] =>
  events(history).flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? ''] : []));

/** Child workflows the workflow started, by workflow type. */
export const startedChildren = (history: History): string[] =>
  events(history).flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name ?? ''] : []));

/**
 * The reset point right after an activity: the id of the WorkflowTaskCompleted event of the workflow
 * task that handled the last completion of `type` (a Long, as resetWorkflowExecution takes it). A
 * reset there keeps that result and redoes what followed.
 */
export function resetPointAfter(history: History, type: string): NonNullable<HistoryEvent['eventId']> {
  const types = scheduledTypes(history);
  const all = events(history);
  const done = all.findLastIndex((e) => e.activityTaskCompletedEventAttributes && types.get(idOf(e.activityTaskCompletedEventAttributes.scheduledEventId)) === type);
  const point = all.slice(done + 1).find((e) => e.workflowTaskCompletedEventAttributes);
  if (done < 0 || !point?.eventId) throw new Error(`No workflow task completed after a ${type} activity`);
  return point.eventId;
}

const decodeJson = (data: Uint8Array | string | null | undefined): unknown =>
  data ? JSON.parse(typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data).toString('utf8')) : undefined;

/** Local activities the workflow ran (recorded as markers, not activity tasks), by type, in order. */
export const localActivities = (history: History): string[] =>
  events(history).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = decodeJson(marker.details?.data?.payloads?.[0]?.data) as { activity_type?: string } | undefined;
    return [data?.activity_type ?? ''];
  });

/** The first argument of every scheduled activity of `type`, decoded from its JSON payload. */
export const activityInputs = (history: History, type: string): unknown[] =>
  events(history).flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled?.activityType?.name === type ? [decodeJson(scheduled.input?.payloads?.[0]?.data)] : [];
  });

/** How many workflow tasks the workflow completed: each is a round trip to the server and a replay step. */
export const workflowTasks = (history: History): number => events(history).filter((e) => e.workflowTaskCompletedEventAttributes).length;

/** Whether every update the workflow completed was completed before the next activity of `type` was scheduled. */
export function updateCompletedBefore(history: History, type: string): boolean {
  let awaiting = 0;
  for (const e of events(history)) {
    if (e.workflowExecutionUpdateAcceptedEventAttributes) awaiting++;
    if (e.workflowExecutionUpdateCompletedEventAttributes) awaiting--;
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type && awaiting > 0) return false;
  }
  return awaiting === 0;
}

/** Ids of the `patched()` markers the workflow recorded, in order. */
export const recordedPatches = (history: History): string[] =>
  events(history).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    return [(decodeJson(marker.details?.['patch-data']?.payloads?.[0]?.data) as { id: string }).id];
  });

/**
 * Header `field` (decoded; undefined where absent) as the workflow's start carried it and as the
 * workflow sent it with each activity task and child start, e.g. the trace context `_tracer-data`.
 */
export function headersSent(history: History, field: string): { start: unknown; activities: unknown[]; children: unknown[] } {
  const value = (header: { fields?: Record<string, { data?: Uint8Array | null }> | null } | null | undefined) => decodeJson(header?.fields?.[field]?.data);
  const all = events(history);
  return {
    start: value(all[0]?.workflowExecutionStartedEventAttributes?.header),
    activities: all.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [value(e.activityTaskScheduledEventAttributes.header)] : [])),
    children: all.flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? [value(e.startChildWorkflowExecutionInitiatedEventAttributes.header)] : [])),
  };
}
