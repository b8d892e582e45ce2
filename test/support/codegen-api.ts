import { expect } from 'vitest';
import type { JobDto, JobStage, SessionDto } from '../../domain/agents';
import type { VersionDto, VersionSummaryDto } from '../../domain/versions';
import { isTerminal, type CodegenStack } from './codegen-stack';

export interface StoredEvent {
  seq: number;
  type: string;
  data: Record<string, any>;
  at: string;
}

/**
 * The API calls codegen tests make besides sending messages: job commands as the seeded editor,
 * reads as the seeded viewer (so every read also proves a viewer may see it).
 */
export function codegenApi(stack: CodegenStack) {
  const read = async <T>(path: string): Promise<T> => {
    const res = await stack.app.call('GET', path, { token: stack.roles.viewer.token });
    expect(res.status, `GET ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  return {
    /** POST /jobs/:id/<command> as `token` (the editor by default); answers the raw response. */
    command: (jobId: string, command: 'approve' | 'reject' | 'answer' | 'cancel' | 'retry', body?: unknown, token = stack.roles.editor.token) =>
      stack.app.call<any>('POST', `/jobs/${jobId}/${command}`, { token, body }),
    jobEvents: async (jobId: string) => (await read<{ items: StoredEvent[] }>(`/topics/job:${jobId}/events?afterSeq=0`)).items,
    session: (sessionId: string) => read<SessionDto & { jobs: JobDto[] }>(`/sessions/${sessionId}`),
    /** Newest first. */
    versions: async (projectId: string) => (await read<{ items: VersionSummaryDto[] }>(`/projects/${projectId}/versions`)).items,
    version: (projectId: string, n: number) => read<VersionDto>(`/projects/${projectId}/versions/${n}`),
    file: async (projectId: string, n: number, path: string) => (await read<{ content: string }>(`/projects/${projectId}/versions/${n}/files/${path}`)).content,
    changedPaths: async (projectId: string, a: number, b: number) =>
      (await read<{ files: { path: string }[] }>(`/projects/${projectId}/versions/${a}/diff/${b}`)).files.map((f) => f.path).sort(),
  };
}

/** For waitForJob: the job waits at `stage`, or has already ended (so a failure shows at once, not as a timeout). */
export const waitingAt = (stage: JobStage) => (job: JobDto) => (job.status === 'waiting' && job.stage === stage) || isTerminal(job);

export const plannedPaths = (job: JobDto) => (job.plan?.files ?? []).map((f) => f.path).sort();

/** Polls `probe` until it returns true; for states the API does not expose as a job (model requests, sessions). */
export async function eventually(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
