import type { Intent } from './llm-protocol';
import type { ProviderName } from './providers';
import type { IntentKind, JobError, JobPlan, JobStage, JobStatus, SessionSettings, Usage } from './agents';

/** path -> sha256 of the content in the blob store. Workflows pass hashes, never file contents. */
export type FileHashes = Record<string, string>;

/**
 * A job's files by reference: an immutable version of the project plus the paths the job changed
 * (a hash, or null for a deleted path). Workflow histories carry this instead of the whole
 * path -> hash map, so a job on a 500-file project records only what it wrote; activities resolve
 * it (activities/agents/file-sets.ts), caching each version's listing since versions never change.
 */
export interface FileTree {
  projectId: string;
  baseVersion: number | null;
  changes: Record<string, string | null>;
}

/** What file-taking activities accept: a tree (jobs since the `codegen-lean-orchestration` patch) or a whole map (older runs). */
export type FileSet = FileHashes | FileTree;

export const isFileTree = (files: FileSet): files is FileTree =>
  typeof (files as FileTree).projectId === 'string' && typeof (files as FileTree).changes === 'object' && 'baseVersion' in files;

/** `files` with `changes` applied, in the same form: a tree gains changes, a map gains or loses paths. */
export function withChanges(files: FileSet, changes: Record<string, string | null>): FileSet {
  if (isFileTree(files)) return { ...files, changes: { ...files.changes, ...changes } };
  const next: FileHashes = { ...files };
  for (const [path, hash] of Object.entries(changes)) {
    if (hash === null) delete next[path];
    else next[path] = hash;
  }
  return next;
}

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
  /** Where its jobs' automatic previews run (the API's PREVIEW_PROVIDER); absent in older runs: `local`. */
  previewProvider?: ProviderName;
}

export interface PendingMessage {
  jobId: string;
  content: string;
  actorId: string;
  /** Accepted before its job row was written (since `session-answer-when-queued`): the session writes it before the run. */
  rowPending?: boolean;
  /** The organization's token cap on this job when it was accepted (quotas). */
  tokenBudget?: number;
}

/** What a job has finished, recorded after each stage so a retry resumes from the last one. */
export interface JobCheckpoint {
  intent?: Intent;
  /** How many answers the router had seen when it produced `intent`; fewer than `answers` means re-route. */
  intentAnswers?: number;
  answers?: string[];
  plan?: JobPlan;
  /** The version the job started from; `files` only in checkpoints of runs before the tree (FileTree). */
  base?: { version: number | null; files?: FileHashes };
  /** Files after generation (before check/fix). */
  generated?: FileSet;
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
  /** Where the automatic preview of the saved version runs; absent in older runs: `local`. */
  previewProvider?: ProviderName;
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
