import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { JobStage, JobStatus } from '../../domain/agents';

/** Commands a client sends to a running job (REST and socket.io both become these updates). */
export const approvePlanUpdate = defineUpdate<{ ok: true }>('approvePlan');
export const rejectPlanUpdate = defineUpdate<{ ok: true }, [{ feedback: string }]>('rejectPlan');
export const answerUpdate = defineUpdate<{ ok: true }, [{ answer: string }]>('answer');

export interface JobState {
  status: JobStatus;
  stage: JobStage;
  waitingFor: 'approval' | 'answer' | null;
  tokens: number;
}
export const jobStateQuery = defineQuery<JobState>('state');
