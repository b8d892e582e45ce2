import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { emptyUsage, SessionSettings, type JobDto } from '../../domain/agents';
import { conflict, notFound } from '../../domain/errors';
import { pricesFrom } from '../../domain/llm-pricing';
import { taskQueues } from '../../domain/task-queues';
import { jobWorkflowId, sessionWorkflowId } from '../../domain/workflow-ids';
import { AgentJob } from '../../db/entities/index';
import { idempotentId } from '../../db/idempotent-id';
import { recordAudit } from '../../db/repositories/audit';
import { cancelUndelivered } from '../../db/repositories/message-outbox';
import { answerUpdate, approvePlanUpdate, rejectPlanUpdate } from '../../workflows/codegen/job-signals';
import { cancelQueuedMessageUpdate } from '../../workflows/session-signals';
import type { codegenJobWorkflow } from '../../workflows/codegen-job';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import type { QuotaGuard } from '../quotas/quota-guard';
import type { AppDeps } from '../deps';
import { asCommand } from './temporal-errors';
import { toJobDto } from './job-dto';
import { loadJob, loadSession } from './load';

export interface CommandContext {
  em: EntityManager;
  userId: string;
  ip?: string | null;
  /** The request's Idempotency-Key: updates then carry an id derived from it, which Temporal dedupes. */
  idempotencyKey?: string;
}

/** A retried update with the same key is the same Temporal update: the server answers its first outcome. */
const updateIdOf = (ctx: CommandContext, action: string) =>
  ctx.idempotencyKey === undefined ? undefined : idempotentId(`${action}:${ctx.userId}:${ctx.idempotencyKey}`);

/**
 * Client commands on sessions and jobs, shared by REST routes and socket.io handlers. Each checks
 * the caller's organization and role, then becomes a Temporal update, signal or cancellation.
 */
export function createAgentCommands({ temporal, config, deliveries, sessionOrganizations }: Pick<AppDeps, 'temporal' | 'config' | 'deliveries' | 'sessionOrganizations'>, quotas: QuotaGuard) {
  const agentsQueue = taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX).agents;
  const prices = pricesFrom(config);
  const previewProvider = config.PREVIEW_PROVIDER;
  const audit = (ctx: CommandContext, job: AgentJob, action: string, details?: Record<string, unknown>) => {
    recordAudit(ctx.em, { actorId: ctx.userId, organizationId: job.organizationId, action, targetType: 'job', targetId: job.id, ip: ctx.ip ?? null, details: details ?? null });
    return ctx.em.flush();
  };
  const jobUpdate = async (ctx: CommandContext, jobId: string, action: string, send: (handle: ReturnType<Client['workflow']['getHandle']>, updateId?: string) => Promise<unknown>) => {
    const job = await loadJob(ctx.em, ctx.userId, jobId, 'editor');
    await asCommand('This job is no longer running', () => send(temporal.workflow.getHandle(jobWorkflowId(jobId)), updateIdOf(ctx, action)));
    await audit(ctx, job, action);
    await ctx.em.refresh(job);
    return toJobDto(job, prices);
  };

  return {
    async sendMessage(ctx: CommandContext, sessionId: string, content: string): Promise<JobDto> {
      const organizationId = await sessionOrganizations.of(ctx.em, sessionId);
      if (organizationId === undefined) throw notFound('Session');
      // The job's id comes from the request's Idempotency-Key: a retry after a lost answer finds its job.
      const jobId = ctx.idempotencyKey === undefined ? randomUUID() : idempotentId(`session.message:${ctx.userId}:${ctx.idempotencyKey}`);
      const message = { jobId, sessionId, content: content.trim(), actorId: ctx.userId };
      // Accepting is one statement: the session and the sender's role, the quota checks, the
      // `queued` row, the `message` event (the first durable event), the audit row and the outbox
      // row, under the organization's lock. The session gets the message from the outbox once this
      // has answered (message-delivery.ts).
      const admission = await quotas.admitMessage(ctx.em, organizationId, message, ctx.ip ?? null);
      if (admission.outcome === 'known') {
        // A retry of a request answered before: the job as it is now, handed on if it still waits.
        const known = await ctx.em.findOneOrFail(AgentJob, jobId);
        if (known.status === 'queued') await deliveries.redeliver(jobId);
        return toJobDto(known, prices);
      }
      deliveries.deliver({ ...message, tokenCap: admission.tokenCap });
      // The row as admitted (a job still queued; its progress comes as events): no read back.
      const job = ctx.em.create(AgentJob, { id: jobId, organizationId, projectId: admission.projectId, sessionId, actorId: ctx.userId, content: message.content, status: 'queued', usage: emptyUsage(), createdAt: admission.createdAt ?? new Date() }, { persist: false });
      return toJobDto(job, prices);
    },

    approvePlan: (ctx: CommandContext, jobId: string) => jobUpdate(ctx, jobId, 'job.approve', (h, updateId) => h.executeUpdate(approvePlanUpdate, { updateId })),
    rejectPlan: (ctx: CommandContext, jobId: string, feedback: string) =>
      jobUpdate(ctx, jobId, 'job.reject', (h, updateId) => h.executeUpdate(rejectPlanUpdate, { args: [{ feedback }], updateId })),
    answer: (ctx: CommandContext, jobId: string, answer: string) => jobUpdate(ctx, jobId, 'job.answer', (h, updateId) => h.executeUpdate(answerUpdate, { args: [{ answer }], updateId })),

    /** Requests cancellation; the workflow cancels its running activity (and LLM call) and records `cancelled`. */
    async cancel(ctx: CommandContext, jobId: string): Promise<JobDto> {
      const job = await loadJob(ctx.em, ctx.userId, jobId, 'editor');
      if (['completed', 'failed', 'cancelled'].includes(job.status)) throw conflict(`This job is already ${job.status}`);
      // A message its session has not received yet is cancelled in the outbox; one waiting in its
      // session's queue is dropped there; one that started meanwhile is cancelled as a job.
      const undelivered = job.status === 'queued' ? await cancelIfUndelivered(ctx.em, job) : 'delivered';
      const dropped = undelivered === 'cancelled' || (job.status === 'queued' && await temporal.workflow.getHandle(sessionWorkflowId(job.sessionId))
        .executeUpdate(cancelQueuedMessageUpdate, { args: [{ jobId }] }).then(() => true, () => false));
      if (!dropped) await asCommand('This job is no longer running', () => temporal.workflow.getHandle(jobWorkflowId(jobId)).cancel());
      await audit(ctx, job, 'job.cancel');
      await ctx.em.refresh(job);
      return toJobDto(job, prices);
    },

    /** Runs a failed or cancelled job again as a new run of `job-<id>`, resuming from its checkpoint. */
    async retry(ctx: CommandContext, jobId: string): Promise<JobDto> {
      const job = await loadJob(ctx.em, ctx.userId, jobId, 'editor');
      if (job.status !== 'failed' && job.status !== 'cancelled') throw conflict(`Only a failed or cancelled job can be retried; this one is ${job.status}`);
      const session = await loadSession(ctx.em, ctx.userId, job.sessionId, 'editor');
      await previousRunClosed(temporal, jobWorkflowId(job.id));
      // A retry starts a job again: the same quotas as a new message (its own row is finished, so not counted).
      // `queued` is written on the lock's own transaction: the new run's first report waits for its
      // commit (and then wins), and a start that fails rolls it back, so the row tells the truth.
      await quotas.admitRetry(ctx.em, job, async (tokenCap, tx) => {
        await tx.nativeUpdate(AgentJob, { id: job.id }, { status: 'queued', error: null, finishedAt: null, resultVersion: null });
        await startOrConflict(() => temporal.workflow.start<typeof codegenJobWorkflow>('codegenJobWorkflow', {
          workflowId: jobWorkflowId(job.id),
          taskQueue: agentsQueue,
          // The closed run stays in history; a running one makes this start fail instead of doubling the job.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          staticSummary: `Retry of codegen job ${job.id}`,
          typedSearchAttributes: searchAttributesOf.codegenJob(job),
          args: [{
            jobId: job.id,
            sessionId: job.sessionId,
            projectId: job.projectId,
            organizationId: job.organizationId,
            actorId: ctx.userId,
            content: job.content,
            settings: capBudget(SessionSettings.parse(session.settings), tokenCap),
            resume: job.checkpoint ?? undefined,
            previewProvider,
          }],
        }));
      });
      await audit(ctx, job, 'job.retry');
      await ctx.em.refresh(job);
      return toJobDto(job, prices);
    },
  };
}

/** How long a cancel waits for a message being handed to its session (milliseconds), and how often it looks. */
const HANDING_ON_WAIT_MS = 3_000;
const HANDING_ON_POLL_MS = 50;

/**
 * Cancels a queued job in the outbox when its session has not received it. A node signalling the
 * session right now is waited for (milliseconds, normally); then the session's queue has the message.
 */
async function cancelIfUndelivered(em: EntityManager, job: AgentJob): Promise<'cancelled' | 'delivered'> {
  const deadline = Date.now() + HANDING_ON_WAIT_MS;
  for (;;) {
    const state = await cancelUndelivered(em.fork(), job);
    if (state !== 'delivering') return state;
    if (Date.now() >= deadline) throw conflict('This message is being handed to its session; try again in a moment');
    await new Promise((resolve) => setTimeout(resolve, HANDING_ON_POLL_MS));
  }
}

/** A job's settings with its token budget lowered to the organization's cap. */
const capBudget = (settings: SessionSettings, tokenCap: number): SessionSettings => ({ ...settings, tokenBudget: Math.min(settings.tokenBudget, tokenCap) });

/** Longest wait for a run that recorded its end to close in Temporal (it is its last step). */
const CLOSING_WAIT_MS = 10_000;

/**
 * A job records `failed`/`cancelled` on its row just before its run closes; a retry arriving in that
 * moment waits for the close instead of colliding with the still-open run.
 */
async function previousRunClosed(temporal: Client, workflowId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = temporal.workflow.getHandle(workflowId).result().then(() => undefined, () => undefined);
  await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSING_WAIT_MS); })]);
  clearTimeout(timer);
}

async function startOrConflict(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('The previous run of this job is still closing; try again in a moment');
    throw err;
  }
}

export type AgentCommands = ReturnType<typeof createAgentCommands>;
