import type { StoredEvent } from '../../domain/events';
import type { FileInput } from '../../test/support/projects';
import type { BenchUser } from '../codegen/temporal-jobs';

export interface PreviewRun {
  previewId: string;
  status: string;
  /** From the POST to the `live` (or `failed`) event, as the client saw it. */
  wallMs: number;
  /** Where the time went, from the durable events' timestamps. */
  stagesMs: { queued: number; materialize: number; install: number; build: number; startAndCheck: number };
  dependencies: string | null;
  error?: string;
}

const terminal = new Set(['live', 'failed', 'destroyed']);

/** A project with `files` as version 1, made before any clock starts. */
export async function projectWith(user: BenchUser, name: string, files: FileInput[]): Promise<string> {
  const project = await user.client.projects.create(user.orgId, { name });
  await user.client.versions.create(project.id, { parentVersion: null, message: 'bench', files });
  return project.id;
}

/** Requests a preview and waits for its outcome on the live connection (events, no polling), then ends it. */
export async function timePreview(user: BenchUser, projectId: string, timeoutMs = 600_000): Promise<PreviewRun> {
  const started = performance.now();
  const preview = await user.client.previews.create(projectId, {});
  const events = await new Promise<StoredEvent[]>((resolve, reject) => {
    const seen: StoredEvent[] = [];
    const timer = setTimeout(() => finish(new Error(`preview ${preview.id} did not settle within ${timeoutMs / 1000} s`)), timeoutMs);
    const watch = user.client.watch(`preview:${preview.id}`, {
      onEvent: (event) => {
        seen.push(event);
        if (event.type === 'preview.status' && terminal.has(String(event.data.status))) finish();
      },
      onError: (error) => finish(error),
    });
    function finish(error?: Error) {
      clearTimeout(timer);
      watch.close();
      if (error) reject(error);
      else resolve(seen);
    }
  });
  const wallMs = performance.now() - started;
  const at = (type: string, key: string, value: string) => Date.parse(events.find((e) => e.type === type && e.data[key] === value)?.at ?? '') || NaN;
  const created = Date.parse(preview.createdAt);
  const [building, starting, live] = [at('preview.status', 'status', 'building'), at('preview.status', 'status', 'starting'), at('preview.status', 'status', 'live')];
  // The builder reports each stage's duration; the agents side records them once the build is done.
  const took = (stage: string) => Number(events.find((e) => e.type === 'build.stage' && e.data.stage === stage)?.data.durationMs ?? NaN);
  const last = events.at(-1)!;
  const detail = await user.client.previews.get(preview.id);
  const dependencyLine = detail.logs.find((l) => l.startsWith('dependencies: ')) ?? null;
  if (last.data.status === 'live') await user.client.previews.destroy(preview.id);
  return {
    previewId: preview.id,
    status: String(last.data.status),
    wallMs,
    stagesMs: { queued: building - created, materialize: took('materialize'), install: took('install'), build: took('build'), startAndCheck: live - starting },
    dependencies: dependencyLine?.slice('dependencies: '.length) ?? null,
    ...(last.data.status === 'live' ? {} : { error: `${JSON.stringify(last.data.error ?? last.data)} | ${detail.logs.slice(-5).join(' | ')}` }),
  };
}
