import { resolve } from 'node:path';
import { haltAllServers } from '../../activities/providers/local-server-process';
import { StackStopConfig } from '../../domain/config';
import { say } from './console-prefix';
import { repoRoot } from './paths';
import type { Service } from './service-process';

/**
 * The local provider's preview and deployment servers, as a service of `npm start`: they run
 * detached (they outlive worker restarts), so stopping the worker leaves them; this stops them
 * when the stack stops. Their state files stay, and the next worker restarts every one whose
 * row is still `live` (activities/deployments/restore-local-servers.ts).
 * FORGE_KEEP_PREVIEWS=true leaves them running.
 */
export function localServersService(env: NodeJS.ProcessEnv): Service {
  const config = StackStopConfig.parse(env);
  const dir = resolve(repoRoot, config.BUILDS_DIR, 'local-servers');
  return {
    name: 'previews',
    reused: false,
    pid: undefined,
    async stop() {
      if (config.FORGE_KEEP_PREVIEWS === 'true') return say('previews', 'FORGE_KEEP_PREVIEWS=true: local preview and deployment servers keep running');
      const halted = await haltAllServers({ dir });
      if (halted.length) say('previews', `stopped ${halted.length} local preview/deployment server(s); the next start restarts the live ones`);
    },
  };
}
