// Where one job's time goes between the server and the worker: runs single jobs through the API
// (one at a time, after a warm-up) and reads each one's history and its session's. For each it
// prints `accept` (POST to the job's first stage event) and every workflow task from start to
// completion, the session's and the job's, in milliseconds; writes bench/results/job-timeline.json.
// BENCH_ROUNDS (default 3) jobs; BENCH_MODEL_LATENCY_MS (default 50) per model call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { jobWorkflowId, sessionWorkflowId } from '../domain/workflow-ids';
import { repoRoot } from '../scripts/stack/paths';
import { startBenchStack } from './codegen/bench-stack';
import { runTemporalJobs, signUpBenchUser } from './codegen/temporal-jobs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const latencyMs = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 50);
const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const millis = (e: HistoryEvent) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
/** Each workflow task of a history, started to completed (the worker's part and its reply). */
function workflowTasks(events: HistoryEvent[]): number[] {
  const started = new Map(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).map((e) => [Number(e.eventId), millis(e)]));
  return events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((e) => Math.round(millis(e) - started.get(Number(e.workflowTaskCompletedEventAttributes!.startedEventId))!));
}

const stack = await startBenchStack({ latencyMs });
const connection = await Connection.connect({ address: stack.temporal.address });
try {
  const client = new Client({ connection, namespace: stack.temporal.namespace });
  const user = await signUpBenchUser(stack.apiOrigin);
  await runTemporalJobs(user, 1, 'timeline warm-up', 120_000);
  const jobs = [];
  for (let round = 0; round < rounds; round++) {
    const run = (await runTemporalJobs(user, 1, `timeline ${round}`, 120_000)).runs[0]!;
    if (!run.ok) throw new Error(`job failed: ${run.error}`);
    const { sessionId } = await user.client.jobs.get(run.jobId!);
    const history = async (workflowId: string) => (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const timeline = {
      acceptMs: Math.round(run.stages!.accept!),
      sessionTasksMs: workflowTasks(await history(sessionWorkflowId(sessionId))),
      jobTasksMs: workflowTasks(await history(jobWorkflowId(run.jobId!))),
    };
    console.log(`[bench] job ${round + 1}: accept ${timeline.acceptMs} ms; session tasks ${timeline.sessionTasksMs.join(', ')} ms; job tasks ${timeline.jobTasksMs.join(', ')} ms`);
    jobs.push(timeline);
  }
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'job-timeline.json'), `${JSON.stringify({ startedAt: new Date().toISOString(), modelLatencyMs: latencyMs, jobs }, null, 2)}\n`);
} finally {
  await connection.close();
  await stack.close();
}
