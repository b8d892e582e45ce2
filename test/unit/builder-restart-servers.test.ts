import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { restartHaltedServers } from '../../activities/builds/restart-halted-servers';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { haltAllServers, stopServer, type ServerHost } from '../../activities/providers/local-server-process';
import { previewResourceName } from '../../domain/providers';
import { distFixture } from '../support/dist-fixture';

// What a builder does at startup, with no database: the local servers the stack halted when it
// stopped come back on their URL; one whose build is gone is forgotten.
const scratch = mkdtempSync(join(tmpdir(), 'forge-builder-restart-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const answers = async (url: string) => (await fetch(url).catch(() => null))?.status === 200;

it('restarts halted servers on their port and forgets those whose build is gone, idempotently', async () => {
  const host: ServerHost = { dir: join(scratch, 'local-servers'), sandbox: 'none', memoryMb: 64 };
  const provider = createLocalProvider(host);
  const kept = await provider.start({ resource: previewResourceName(randomUUID()), projectId: randomUUID(), artifactDir: await distFixture('kept') });
  const gone = await provider.start({ resource: previewResourceName(randomUUID()), projectId: randomUUID(), artifactDir: await distFixture('gone') });
  try {
    await haltAllServers(host);
    rmSync(gone.data.root!, { recursive: true, force: true });
    expect(await answers(kept.url)).toBe(false);

    expect(await restartHaltedServers(host)).toEqual({ restarted: [kept.resource], gone: [gone.resource] });
    expect(await answers(kept.url)).toBe(true);
    expect(await provider.list()).toEqual([kept.resource]);
    expect(await restartHaltedServers(host)).toEqual({ restarted: [], gone: [] });
  } finally {
    for (const ref of [kept, gone]) await stopServer(host, ref.resource);
  }
}, 60_000);
