import { z } from 'zod';
import { jobErrorCodes } from './job-error-codes';
import { trimmedText } from './schema-bounds';
import { DEFAULT_QUESTION_ROUNDS, MAX_MESSAGE_CHARS, messageContentErrors } from './session-limits';

/** Job states and stages: clients and checks rely on these exact words (DESIGN.md, States). */
export const JobStatus = z.enum(['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobStage = z.enum(['intent', 'questions', 'plan', 'approval', 'generate', 'check', 'fix', 'save']);
export type JobStage = z.infer<typeof JobStage>;

/** Codes a failed job carries in `error.code` (the words: domain/job-error-codes.ts). */
export const JobErrorCode = z.enum(jobErrorCodes);
export type JobErrorCode = z.infer<typeof JobErrorCode>;

export const JobError = z.object({ code: JobErrorCode, message: z.string(), details: z.unknown().optional() });
export type JobError = z.infer<typeof JobError>;

export const IntentKind = z.enum(['new_app', 'edit', 'question', 'fix']);
export type IntentKind = z.infer<typeof IntentKind>;

/** Token usage (the plain shape and its sums, which workflows use: domain/usage.ts). */
export const Usage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;
export { addUsage, emptyUsage, totalTokens } from './usage';

export const SessionSettings = z.object({
  /** Wait for approve/reject after the plan. */
  requireApproval: z.boolean().default(false),
  approvalTimeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(24 * 3600),
  /** Compile-fix rounds before the job fails with check_failed. */
  maxFixRounds: z.number().int().min(0).max(10).default(3),
  /** Per-job token budget, enforced in workflow state so it holds across restarts. */
  tokenBudget: z.number().int().min(1_000).max(10_000_000).default(400_000),
  /** Files generated at once. */
  generateConcurrency: z.number().int().min(1).max(8).default(3),
  /** Rounds of clarifying questions a job may ask before it goes ahead with what it has. */
  maxQuestionRounds: z.number().int().min(1).max(10).default(DEFAULT_QUESTION_ROUNDS),
  /** GitHub projects: commit each job's version to a branch of its own and open a pull request, instead of committing to the project's branch. */
  githubPullRequests: z.boolean().default(false),
  /** Start a preview of every version a job saves (a child workflow that outlives the job). */
  autoPreview: z.boolean().default(true),
});
export type SessionSettings = z.infer<typeof SessionSettings>;

export const CreateSessionBody = z.object({
  title: trimmedText(200).optional(),
  settings: SessionSettings.partial().optional(),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

/** The same limit and words as the session workflow's check (domain/session-limits.ts). */
export const MessageContent = trimmedText(MAX_MESSAGE_CHARS, messageContentErrors);
export const SendMessageBody = z.object({ content: MessageContent });
export const RejectPlanBody = z.object({ feedback: trimmedText(5_000) });
export const AnswerBody = z.object({ answer: trimmedText(MAX_MESSAGE_CHARS) });

export const PlannedFile = z.object({ path: z.string(), action: z.enum(['create', 'update', 'delete']), why: z.string() });
export const JobPlan = z.object({ summary: z.string(), message: z.string(), files: z.array(PlannedFile) });
export type JobPlan = z.infer<typeof JobPlan>;

export const JobDto = z.object({
  id: z.string(),
  sessionId: z.string(),
  projectId: z.string(),
  type: z.string(),
  status: JobStatus,
  stage: JobStage.nullable(),
  input: z.object({ content: z.string() }),
  intent: IntentKind.nullable(),
  plan: JobPlan.nullable(),
  answer: z.string().nullable(),
  questions: z.array(z.string()).nullable(),
  baseVersion: z.number().int().nullable(),
  resultVersion: z.number().int().nullable(),
  error: JobError.nullable(),
  usage: Usage,
  /** USD for `usage` at the configured prices (domain/llm-pricing.ts). */
  costUsd: z.number().nonnegative(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobDto = z.infer<typeof JobDto>;

export const SessionDto = z.object({
  id: z.string(),
  projectId: z.string(),
  title: z.string(),
  status: z.enum(['open', 'closed']),
  settings: SessionSettings,
  /** Every finished job of the session, summed. */
  usage: Usage,
  costUsd: z.number().nonnegative(),
  createdAt: z.string(),
});
export type SessionDto = z.infer<typeof SessionDto>;

/** GET /sessions/:sessionId: the session with its jobs, oldest first (API response and SDK type). */
export const SessionWithJobs = SessionDto.extend({ jobs: z.array(JobDto) });
export type SessionWithJobs = z.infer<typeof SessionWithJobs>;
