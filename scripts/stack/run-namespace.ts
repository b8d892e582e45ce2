import { readdirSync, readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { registerSearchAttributes } from './temporal-search-attributes';
import { waitUntil } from './wait-until';

/**
 * The Temporal namespace of one test or bench run (`forge-<kind>-<pid>-<time>`): the run's workflows
 * never land in `default`, which `npm start` shows operators, a run's leftovers are easy to find, and
 * what a run registers per namespace (a Worker Deployment per task-queue prefix, at most 100 in one
 * namespace) goes with it.
 */
export async function createRunNamespace(address: string, kind: 'test' | 'bench'): Promise<string> {
  const namespace = `forge-${kind}-${process.pid}-${Date.now()}`;
  const connection = await Connection.connect({ address });
  try {
    // One day of retention: a failed run's histories stay readable for a while, then go.
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // The frontend learns of a new namespace on its next cache refresh (a few seconds on the dev server).
    await waitUntil(`namespace ${namespace}`, async () => {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return true;
    }, { timeoutMs: 30_000, intervalMs: 250 });
  } finally {
    await connection.close();
  }
  await registerSearchAttributes(address, namespace);
  return namespace;
}

export interface Leftovers {
  workflows: Array<{ workflowId: string; type: string }>;
  previewServers: number[];
}

/**
 * The end of a run: terminates every workflow still running in its namespace, kills the local
 * preview servers those workflows (or the run's deployments) started, and deletes the namespace.
 * Returns what it had to clean up: anything here (in a test run) is a test that did not clean up after itself.
 */
export async function finishRunNamespace(address: string, namespace: string): Promise<Leftovers> {
  const connection = await Connection.connect({ address });
  try {
    const workflows: Leftovers['workflows'] = [];
    const owners = new Set<string>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1000, nextPageToken });
      for (const e of page.executions ?? []) {
        const workflowId = e.execution?.workflowId ?? '';
        // Resource names are the preview's or deployment's workflow id (domain/providers.ts).
        if (/^(preview|deploy)-/.test(workflowId)) owners.add(workflowId);
        if (e.status !== 1) continue; // WORKFLOW_EXECUTION_STATUS_RUNNING
        // Visibility lags a little: only a workflow that really was still running counts.
        const terminated = await connection.workflowService.terminateWorkflowExecution({
          namespace,
          workflowExecution: { workflowId, runId: e.execution?.runId },
          reason: 'left running at the end of the test run',
        }).then(() => true, () => false);
        if (terminated) workflows.push({ workflowId, type: e.type?.name ?? '?' });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    const previewServers = killServersOf(owners);
    await connection.operatorService.deleteNamespace({ namespace }).catch(() => undefined); // else retention removes it
    return { workflows, previewServers };
  } finally {
    await connection.close();
  }
}

/** Local preview servers (activities/providers/local-server-process.ts) whose resource is in `owners`: killed, pids returned. */
function killServersOf(owners: Set<string>): number[] {
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.some((a) => a.endsWith('local-static-server.ts')) || !args.some((a) => owners.has(a))) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return killed;
}
