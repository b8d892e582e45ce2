import { z } from 'zod';
import { JobError, JobStage, JobStatus } from './agents';
import { DeploymentStatus } from './deployments';
import { PreviewStatus } from './previews';

/**
 * The `data` of every durable event type that is written, one schema per type: the keys are the
 * list of types (domain/events.ts `EventType`), the schemas are what the log's single writer
 * (db/repositories/event-log.ts) checks before appending, and the inferred types make
 * `DurableEvent` a discriminated union for clients. Schemas name what readers rely on and let
 * extra detail through (loose objects), so a writer may add a field without breaking a reader.
 */
const Detail = z.string().optional();
const Failure = z.looseObject({ code: z.string(), message: z.string() });

export const eventPayloads = {
  // job:<id>
  'job.stage': z.looseObject({ status: JobStatus, stage: JobStage, detail: Detail }),
  questions: z.looseObject({ questions: z.array(z.string()) }),
  answer: z.looseObject({ text: z.string() }),
  plan: z.looseObject({ summary: z.string(), files: z.array(z.looseObject({ path: z.string() })) }),
  'plan.approved': z.looseObject({}),
  'plan.rejected': z.looseObject({ feedback: z.string() }),
  'check.result': z.looseObject({ ok: z.boolean(), round: z.int().nonnegative(), diagnostics: z.array(z.unknown()) }),
  /** On `job:` (the job's result) and on `project:` (any new version). */
  'version.saved': z.looseObject({ version: z.int().positive() }),
  'questions.answered': z.looseObject({ answer: z.string(), round: z.int().positive() }),
  'job.finished': z.looseObject({ status: JobStatus, resultVersion: z.int().positive().nullable(), error: JobError.nullable() }),
  /** A version's pull request on GitHub, on the job that saved it. */
  'github.pull_request': z.looseObject({ version: z.int().positive(), url: z.string() }),
  // project:<id>
  'version.committed': z.looseObject({ version: z.int().positive(), sha: z.string() }),
  'project.deleted': z.looseObject({ deletionId: z.string() }),
  // session:<id>
  message: z.looseObject({ jobId: z.string(), content: z.string(), actorId: z.string() }),
  'session.closed': z.looseObject({}),
  // preview:<id>
  'preview.started': z.looseObject({ previewId: z.string(), version: z.int().positive() }),
  'preview.status': z.looseObject({ status: PreviewStatus, detail: Detail, url: z.string().optional(), error: Failure.optional() }),
  'preview.extended': z.looseObject({ status: PreviewStatus, expiresAt: z.string(), ttlSeconds: z.number() }),
  // preview:<id> and deployment:<id>, written by the builder
  'build.stage': z.looseObject({ stage: z.string() }),
  'health.check': z.looseObject({ url: z.string(), ok: z.boolean(), problems: z.array(z.unknown()) }),
  // deployment:<id>
  'deployment.status': z.looseObject({ status: DeploymentStatus, detail: Detail }),
  'deployment.deployed': z.looseObject({ url: z.string() }),
  'deployment.failed': z.looseObject({ error: Failure }),
  'deployment.promoted': z.looseObject({ status: z.literal('live'), url: z.string() }),
  'deployment.rolled_back': z.looseObject({ rolledBackTo: z.string(), error: Failure }),
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type EventPayloads = { [K in keyof typeof eventPayloads]: z.infer<(typeof eventPayloads)[K]> };
