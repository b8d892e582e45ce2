import { readFile } from 'node:fs/promises';
import type { ProviderRef } from '../../domain/providers';
import { isServing, listStates, logPath, readState, spawnServer, stopServer, type ServerHost, type ServerState } from './local-server-process';
import type { Provider, ServeRequest } from './provider';

const toRef = (state: ServerState): ProviderRef => ({
  provider: 'local',
  resource: state.resource,
  url: `http://127.0.0.1:${state.port}/`,
  data: { pid: String(state.pid), port: String(state.port), root: state.root },
});

/**
 * The default provider: each preview or deployment is a confined server process of its own on
 * 127.0.0.1 and an ephemeral port, serving its build from this host. A deployment is one more
 * such process; "rolling back" means the previous one keeps (or starts again) serving.
 */
export function createLocalProvider(host: ServerHost): Provider {
  /** Returns the resource's server, starting it when it is not running (a retry finds the first one). */
  async function ensure(resource: string, root: string): Promise<ProviderRef> {
    const state = await readState(host, resource);
    if (state && state.root === root && (await isServing(state))) return toRef(state);
    if (state) await stopServer(host, resource);
    return toRef(await spawnServer(host, resource, root));
  }

  const provider: Provider = {
    name: 'local',
    start: (request: ServeRequest) => ensure(request.resource, request.artifactDir),
    stop: (ref) => stopServer(host, ref.resource),

    async status(ref) {
      const state = await readState(host, ref.resource);
      if (!state) return 'missing';
      return (await isServing(state)) ? 'running' : 'stopped';
    },

    async logs(ref, limit) {
      const text = await readFile(logPath(host, ref.resource), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).slice(-limit);
    },

    deploy: (request) => ensure(request.resource, request.artifactDir),

    async rollback(failed, to) {
      if (failed) await stopServer(host, failed.resource);
      return ensure(to.resource, to.data.root!);
    },

    destroy: (ref) => stopServer(host, ref.resource),
    list: () => listStates(host),
    remove: (resource) => stopServer(host, resource),
  };
  return provider;
}
