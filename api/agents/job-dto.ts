import type { JobDto, SessionDto } from '../../domain/agents';
import { SessionSettings } from '../../domain/agents';
import { costUsd, type LlmPrices } from '../../domain/llm-pricing';
import type { TranscriptEntryDto } from '../../domain/conversation';
import type { AgentJob, AgentSession, SessionMessage } from '../../db/entities/index';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Costs are priced when read, at the configured prices: a price change re-prices history too. */
export function toJobDto(job: AgentJob, prices: LlmPrices): JobDto {
  return {
    id: job.id,
    sessionId: job.sessionId,
    projectId: job.projectId,
    type: job.type,
    status: job.status,
    stage: job.stage ?? null,
    input: { content: job.content },
    intent: job.intent ?? null,
    plan: job.plan ?? null,
    answer: job.answer ?? null,
    questions: job.questions ?? null,
    baseVersion: job.baseVersion ?? null,
    resultVersion: job.resultVersion ?? null,
    error: job.error ?? null,
    usage: job.usage,
    costUsd: costUsd(job.usage, prices),
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

export function toSessionDto(session: AgentSession, prices: LlmPrices): SessionDto {
  return {
    id: session.id,
    projectId: session.projectId,
    title: session.title,
    status: session.status,
    settings: SessionSettings.parse(session.settings),
    usage: session.usage,
    costUsd: costUsd(session.usage, prices),
    createdAt: session.createdAt.toISOString(),
  };
}

export const toTranscriptEntryDto = (m: SessionMessage): TranscriptEntryDto => ({
  id: m.id,
  sessionId: m.sessionId,
  jobId: m.jobId,
  author: m.author,
  kind: m.kind,
  text: m.text,
  data: m.data,
  at: m.createdAt.toISOString(),
});
