import type { TestProject } from 'vitest/node';
import { createRunDatabase, provideSharedServers } from '../../scripts/stack/shared-servers';
import { loadWorkflowBundle } from '../../worker/workflow-bundle-cache';
import { createRunNamespace, finishRunNamespace } from '../../scripts/stack/run-namespace';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    temporalAddress: string;
    /** The run's own Temporal namespace (never `default`). */
    temporalNamespace: string;
  }
}

/**
 * One fresh database and one Temporal namespace per test run, dropped at the end, so runs never
 * see each other's rows or workflows and a second run starts clean. The end of the run also
 * checks that nothing was left running: leftovers are terminated (and their preview servers
 * killed), then the run fails, naming them.
 */
export default async function setup(project: TestProject) {
  // Bundle the workflows once for the whole run (when the code changed): every test file's workers
  // and spawned worker processes then load it from the cache instead of running webpack each.
  const [servers] = await Promise.all([provideSharedServers(), loadWorkflowBundle()]);
  const database = await createRunDatabase(servers.adminUrl, 'forge_test');
  const namespace = await createRunNamespace(servers.temporalAddress, 'test');
  project.provide('databaseUrl', database.url);
  project.provide('adminDatabaseUrl', servers.adminUrl);
  project.provide('temporalAddress', servers.temporalAddress);
  project.provide('temporalNamespace', namespace);

  return async () => {
    const leftovers = await finishRunNamespace(servers.temporalAddress, namespace).catch((err: Error) => ({ error: err.message }));
    await database.drop();
    await servers.release();
    if ('error' in leftovers) throw new Error(`Could not check the run's namespace ${namespace} for leftovers: ${leftovers.error}`);
    if (leftovers.workflows.length || leftovers.previewServers.length) {
      const names = leftovers.workflows.map((w) => `${w.type} ${w.workflowId}`);
      throw new Error(
        `The test run left ${leftovers.workflows.length} workflow(s) running and ${leftovers.previewServers.length} preview server(s) behind ` +
        `(now terminated/killed): a test must end what it starts.\n  ${names.slice(0, 30).join('\n  ')}`,
      );
    }
  };
}
