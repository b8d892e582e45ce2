import type { z } from 'zod';
import type { CreateSessionBody, JobDto, SessionDto, SessionWithJobs } from '../domain/agents';
import type { TranscriptEntryDto, TranscriptQuery } from '../domain/conversation';
import type { Page } from '../domain/pagination';
import type { PageOptions } from './accounts-api';
import { pathOf, type Request } from './http-transport';

type JobAnswer = { job: JobDto };

/** Codegen sessions, their messages (each starts a job) and the commands on a job. */
export function agentsApi(request: Request) {
  const command = (jobId: string, name: string, body?: object) =>
    request<JobAnswer>('POST', pathOf('jobs', jobId, name), { body: body ?? {} }).then((answer) => answer.job);
  return {
    sessions: {
      create: (projectId: string, body: z.input<typeof CreateSessionBody> = {}) => request<SessionDto>('POST', pathOf('projects', projectId, 'sessions'), { body }),
      get: (sessionId: string) => request<SessionWithJobs>('GET', pathOf('sessions', sessionId)),
      /** Newest first. */
      list: (projectId: string, page?: PageOptions) => request<Page<SessionDto>>('GET', pathOf('projects', projectId, 'sessions'), { query: page }),
      /** Refuses new messages, finishes the accepted ones, then the session is `closed`. */
      close: (sessionId: string) => request<SessionDto>('POST', pathOf('sessions', sessionId, 'close'), { body: {} }),
      /** The transcript, newest first unless `order: 'asc'`. */
      messages: (sessionId: string, page?: PageOptions & { order?: TranscriptQuery['order'] }) =>
        request<Page<TranscriptEntryDto>>('GET', pathOf('sessions', sessionId, 'messages'), { query: page }),
      /** Queues a job for the message; watch `job:<id>` for its progress. */
      sendMessage: (sessionId: string, content: string) =>
        request<JobAnswer>('POST', pathOf('sessions', sessionId, 'messages'), { body: { content } }).then((answer) => answer.job),
    },
    jobs: {
      get: (jobId: string) => request<JobDto>('GET', pathOf('jobs', jobId)),
      approve: (jobId: string) => command(jobId, 'approve'),
      reject: (jobId: string, feedback: string) => command(jobId, 'reject', { feedback }),
      answer: (jobId: string, answer: string) => command(jobId, 'answer', { answer }),
      cancel: (jobId: string) => command(jobId, 'cancel'),
      retry: (jobId: string) => command(jobId, 'retry'),
    },
  };
}
