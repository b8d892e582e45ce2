import type { Intent } from './llm-protocol';
import type { IntentKind, JobError, JobPlan, JobStage, JobStatus, SessionSettings, Usage } from './agents';

/** path -> sha256 of the content in the blob store. Workflows pass hashes, never file contents. */
export type FileHashes = Record<string, string>;

export interface SessionWorkflowInput {
  sessionId: string;
  projectId: string;
  organizationId: string;
  settings: SessionSettings;
  idleTimeoutSeconds: number;
  /** Turns before continue-as-new even when Temporal does not suggest it. */
  maxTurns: number;
  /** Carried across continue-as-new. */
  pending?: PendingMessage[];
}

export interface PendingMessage {
  jobId: string;
  content: string;
  actorId: string;
}

/** What a job has finished, recorded after each stage so a retry resumes from the last one. */
export interface JobCheckpoint {
  intent?: Intent;
  answers?: string[];
  plan?: JobPlan;
  base?: { version: number | null; files: FileHashes };
  /** Files after generation (before check/fix). */
  generated?: FileHashes;
  usage?: Usage;
}

export interface JobWorkflowInput {
  jobId: string;
  sessionId: string;
  projectId: string;
  organizationId: string;
  actorId: string;
  content: string;
  settings: SessionSettings;
  resume?: JobCheckpoint;
}

export interface JobOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  resultVersion: number | null;
  error: JobError | null;
  usage: Usage;
}

export interface JobRef {
  jobId: string;
}

/** What a job workflow records on its row; terminal statuses also stamp finishedAt, the first `running` stamps startedAt. */
export interface JobPatch {
  status?: JobStatus;
  stage?: JobStage;
  intent?: IntentKind;
  plan?: JobPlan;
  answer?: string;
  questions?: string[];
  baseVersion?: number | null;
  resultVersion?: number | null;
  error?: JobError | null;
  usage?: Usage;
  checkpoint?: JobCheckpoint;
}

/** A durable event as a workflow asks for it; `key` makes the append idempotent across activity retries. */
export interface EventDraft {
  type: string;
  data: Record<string, unknown>;
  key: string;
}
