import { existsSync } from 'node:fs';
import { isServing, listStates, readState, spawnServer, stopServer, type ServerHost } from '../providers/local-server-process';

export interface RestartResult {
  restarted: string[];
  /** Servers whose build is gone from this host: forgotten (their rows stay until their workflow ends them). */
  gone: string[];
}

/**
 * Run by a builder at startup (it has no database): every local server halted when the stack last
 * stopped (its state file kept, its process gone) starts again from its build, on the port its URL
 * names when that port is free. One whose build is gone is forgotten. Running twice changes nothing.
 * The agents worker marks the rows of forgotten ones `failed` (activities/deployments/restore-local-servers.ts).
 */
export async function restartHaltedServers(host: ServerHost): Promise<RestartResult> {
  const result: RestartResult = { restarted: [], gone: [] };
  for (const resource of await listStates(host)) {
    const state = await readState(host, resource);
    if (!state || (await isServing(state))) continue;
    if (existsSync(state.root)) {
      await spawnServer(host, resource, state.root, state.port);
      result.restarted.push(resource);
    } else {
      await stopServer(host, resource);
      result.gone.push(resource);
    }
  }
  return result;
}
