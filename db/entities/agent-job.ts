import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { JobStage, JobStatus, type IntentKind, type JobError, type JobPlan, type Usage } from '../../domain/agents';
import type { JobCheckpoint } from '../../domain/agent-workflows';
import { baseProperties } from './base';

/** One message's run (workflow `job-<id>`). The row mirrors the workflow for reads; Temporal owns the truth. */
export const AgentJob = defineEntity({
  name: 'AgentJob',
  tableName: 'agent_jobs',
  indexes: [{ properties: ['sessionId', 'createdAt'] }, { properties: ['projectId', 'createdAt'] }],
  properties: {
    ...baseProperties,
    organizationId: p.uuid(),
    projectId: p.uuid(),
    sessionId: p.uuid(),
    actorId: p.uuid(),
    type: p.string().default('codegen'),
    content: p.text(),
    status: p.enum(JobStatus.options).default('queued'),
    stage: p.enum(JobStage.options).nullable(),
    intent: p.string().$type<IntentKind>().nullable(),
    plan: p.json<JobPlan>().nullable(),
    answer: p.text().nullable(),
    questions: p.json<string[]>().nullable(),
    baseVersion: p.integer().nullable(),
    resultVersion: p.integer().nullable(),
    error: p.json<JobError>().nullable(),
    usage: p.json<Usage>(),
    /** Stage results for `retry`: a new run resumes from here instead of calling the model again. */
    checkpoint: p.json<JobCheckpoint>().nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type AgentJob = InferEntity<typeof AgentJob>;
