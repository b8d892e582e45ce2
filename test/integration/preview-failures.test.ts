import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../activities/providers/local-provider';
import { previewResourceName } from '../../domain/providers';
import type { PreviewDto } from '../../domain/previews';
import type { previewReaperWorkflow } from '../../workflows/preview-reaper';
import { blankPageApp, generatedApp, unbuildableApp } from '../support/app-fixtures';
import { previewEnded, startDeliveryStack, type DeliveryStack } from '../support/delivery-stack';

let stack: DeliveryStack;
beforeAll(async () => {
  stack = await startDeliveryStack();
});
afterAll(async () => {
  await stack?.close();
});

const local = () => createLocalProvider({ dir: join(stack.buildsDir, 'local-servers'), sandbox: 'none', memoryMb: 128 });

async function previewOf(files: ReturnType<typeof generatedApp>): Promise<PreviewDto> {
  const { projectId } = await stack.newProject(files);
  const res = await stack.app.call('POST', `/projects/${projectId}/previews`, { token: stack.roles.editor.token, body: {} });
  expect(res.status).toBe(202);
  return stack.waitForPreview(res.body.id, previewEnded);
}

describe('a preview that cannot go live', { timeout: 180_000 }, () => {
  it('ends failed with the build log when the app does not build', async () => {
    const preview = await previewOf(unbuildableApp('broken'));
    expect(preview.status).toBe('failed');
    expect(preview.error).toMatchObject({ code: 'build_failed' });
    expect(preview.error!.message).toContain('vite build');
    // The tail of the build log says what is wrong.
    expect(preview.logs.join('\n')).toContain('missing-module');
    expect(preview.url).toBeNull();
    const events = (await stack.app.call('GET', `/topics/preview:${preview.id}/events`, { token: stack.roles.editor.token })).body.items;
    expect(events.at(-1)).toMatchObject({ type: 'preview.status', data: { status: 'failed', error: { code: 'build_failed' } } });
    expect(events.at(-1).data.logTail.join('\n')).toContain('missing-module');
  });

  it('ends failed when the page it serves is blank, and what was started is stopped', async () => {
    const preview = await previewOf(blankPageApp('blank'));
    expect(preview.status).toBe('failed');
    expect(preview.error!.code).toBe('health_check_failed');
    expect(preview.error!.message).toContain('no element with id "root"');
    // Compensation: the server that did start is gone.
    expect(await local().list()).not.toContain(previewResourceName(preview.id));
  });
});

describe('the reaper', { timeout: 180_000 }, () => {
  it('removes provider resources no running preview owns, and keeps the live ones', async () => {
    const live = await previewOf(generatedApp('kept'));
    expect(live.status).toBe('live');
    // An orphan: a server for a preview whose workflow never existed (as after a crash between start and record).
    const dist = join(stack.buildsDir, 'orphan-dist');
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'index.html'), '<div id="root"></div>');
    const orphan = previewResourceName(randomUUID());
    const orphanRef = await local().start({ resource: orphan, projectId: randomUUID(), artifactDir: dist });
    expect((await fetch(orphanRef.url)).status).toBe(200);

    const result = await stack.env.client.workflow.execute<typeof previewReaperWorkflow>('previewReaperWorkflow', {
      workflowId: `reaper-${randomUUID()}`,
      taskQueue: stack.agentsQueue,
    });

    expect(result.removed).toEqual([`local:${orphan}`]);
    expect(await local().list()).toEqual([previewResourceName(live.id)]);
    await expect(fetch(orphanRef.url)).rejects.toThrow();
    expect((await fetch(live.url!)).status).toBe(200);
    await stack.app.call('DELETE', `/previews/${live.id}`, { token: stack.roles.editor.token });
    await stack.waitForPreview(live.id, (p) => p.status === 'destroyed');
  });
});
