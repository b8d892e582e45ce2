// Health check of a worker or builder container (docker-compose): healthy while a process of this
// host polls its task queue (`agents`, the default, or `builds` for a builder). Temporal lists each poller as `<pid>@<hostname>`, and a container's hostname
// is its own, so another replica's pollers cannot make this one look healthy.
import { hostname } from 'node:os';
import { Connection } from '@temporalio/client';
import { taskQueues } from '../domain/task-queues';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY: both queues run activities. */
const activityQueue = 2;
/** Pollers re-poll at least once a minute; one silent for longer is gone. */
const staleAfterMs = 90_000;

const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', connectTimeout: '5s' });
try {
  const queues = taskQueues(process.env.TEMPORAL_TASK_QUEUE_PREFIX ?? '');
  const which = process.argv[2] === 'builds' ? 'builds' : 'agents';
  for (const name of [queues[which]]) {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name }, taskQueueType: activityQueue });
    const ours = (pollers ?? []).filter((poller) => poller.identity?.endsWith(`@${hostname()}`));
    const fresh = ours.some((poller) => Date.now() - Number(poller.lastAccessTime?.seconds ?? 0) * 1000 < staleAfterMs);
    if (!fresh) throw new Error(`no worker of ${hostname()} polls ${name}`);
  }
  console.log(`${hostname()} polls ${queues[which]}`);
} finally {
  await connection.close();
}
