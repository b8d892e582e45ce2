import type { TestProject } from 'vitest/node';
import { createRunDatabase, provideSharedServers } from '../../scripts/stack/shared-servers';
import { loadWorkflowBundle } from '../../worker/workflow-bundle-cache';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    temporalAddress: string;
  }
}

/**
 * One fresh database per test run, migrated from empty and dropped at the end, so runs never
 * see each other's rows and a second run starts clean.
 */
export default async function setup(project: TestProject) {
  // Bundle the workflows once for the whole run (when the code changed): every test file's workers
  // and spawned worker processes then load it from the cache instead of running webpack each.
  const [servers] = await Promise.all([provideSharedServers(), loadWorkflowBundle()]);
  const database = await createRunDatabase(servers.adminUrl, 'forge_test');
  project.provide('databaseUrl', database.url);
  project.provide('adminDatabaseUrl', servers.adminUrl);
  project.provide('temporalAddress', servers.temporalAddress);

  return async () => {
    await database.drop();
    await servers.release();
  };
}
