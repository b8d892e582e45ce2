/**
 * Task queues. Workflows and LLM/storage activities poll `forge-agents`; CPU-heavy builds poll
 * `forge-builds`, so a long compile never holds a slot an LLM call is waiting for.
 */
export const TaskQueue = {
  agents: 'forge-agents',
  builds: 'forge-builds',
} as const;

export interface TaskQueues {
  agents: string;
  builds: string;
}

/**
 * The queue pair under a prefix (config TEMPORAL_TASK_QUEUE_PREFIX): environments can share one
 * namespace, and each integration test gets queues no other test's worker polls.
 */
export const taskQueues = (prefix = ''): TaskQueues => ({
  agents: prefix + TaskQueue.agents,
  builds: prefix + TaskQueue.builds,
});

/**
 * The builds queue paired with a workflow's own queue. Workflows derive it from where they run
 * (`workflowInfo().taskQueue`) instead of taking it as input, so every job finds its builders.
 * Any other queue gets `<queue>/forge-builds`, which no builder polls, rather than an error: the
 * SDK's replayer runs recorded histories on a queue of its own (`<replayName>-<n>`), and a workflow
 * started by hand on a wrong queue then waits visibly in the Temporal UI instead of failing every task.
 */
export function buildsQueueFor(agentsQueue: string): string {
  if (!agentsQueue.endsWith(TaskQueue.agents)) return `${agentsQueue}/${TaskQueue.builds}`;
  return agentsQueue.slice(0, -TaskQueue.agents.length) + TaskQueue.builds;
}
