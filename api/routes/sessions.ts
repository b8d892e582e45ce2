import { z } from 'zod';
import { CreateSessionBody, emptyUsage, JobDto, SendMessageBody, SessionDto, SessionSettings, SessionWithJobs } from '../../domain/agents';
import { TranscriptEntryDto, TranscriptQuery } from '../../domain/conversation';
import { Page, PageQuery } from '../../domain/pagination';
import { AppError, ErrorCode } from '../../domain/errors';
import { ProjectParams } from '../../domain/projects';
import { sessionWorkflowId } from '../../domain/workflow-ids';
import { pricesFrom } from '../../domain/llm-pricing';
import { taskQueues } from '../../domain/task-queues';
import { AgentJob, AgentSession } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requireProject } from '../../db/repositories/projects';
import { listProjectSessions } from '../../db/repositories/project-lists';
import { listTranscript } from '../../db/repositories/transcript';
import type { sessionWorkflow } from '../../workflows/session';
import { closeSessionSignal } from '../../workflows/session-signals';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import { createAgentCommands } from '../agents/commands';
import { asCommand } from '../agents/temporal-errors';
import { refuseWhileDeleting } from '../projects/project-deletion';
import { toJobDto, toSessionDto, toTranscriptEntryDto } from '../agents/job-dto';
import { loadSession } from '../agents/load';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';
import { idempotentId } from '../../db/idempotent-id';
import { startOnce } from '../agents/start-once';
import { knownError } from '../middleware/error-handler';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

const SessionParams = z.object({ sessionId: z.uuid() });

export const sessionRoutes = (deps: AppDeps) => {
  const { temporal, config } = deps;
  const queues = taskQueues(config.TEMPORAL_TASK_QUEUE_PREFIX);
  const prices = pricesFrom(config);
  const quotas = createQuotaGuard(quotaPolicyFrom(config));
  const commands = createAgentCommands(deps, quotas);
  return [
    defineRoute({
      method: 'post',
      path: '/projects/:projectId/sessions',
      creates: { under: '/sessions/:sessionId', param: 'sessionId', pointer: '/id' },
      summary: 'Start a codegen session (workflow session-<id>) on a project',
      tag: 'sessions',
      params: ProjectParams,
      body: CreateSessionBody,
      status: 201,
      response: SessionDto,
      handler: async ({ params, body }, req) => {
        const userId = req.auth!.userId;
        const project = await requireProject(req.em, userId, params.projectId, 'editor');
        refuseWhileDeleting(project);
        // zod fills in the default budget: only one the caller wrote is refused, the default is lowered to the cap.
        const asked = (req.body as { settings?: { tokenBudget?: unknown } }).settings?.tokenBudget !== undefined;
        if (asked) quotas.assertJobBudget(body.settings?.tokenBudget);
        const tokenBudget = asked ? body.settings?.tokenBudget : Math.min(SessionSettings.parse({}).tokenBudget, quotas.policy.jobTokenBudget);
        const settings = SessionSettings.parse({ ...body.settings, tokenBudget });
        // With an Idempotency-Key the session id (and so its workflow id) comes from the key: a
        // request re-run after a crash finds the row, and Temporal refuses a second start.
        const id = req.idempotencyKey === undefined ? undefined : idempotentId(`session:${userId}:${req.idempotencyKey}`);
        const existing = id === undefined ? null : await req.em.findOne(AgentSession, id);
        const session = existing ?? req.em.create(AgentSession, {
          ...(id === undefined ? {} : { id }),
          organizationId: project.organization.id,
          projectId: project.id,
          createdById: userId,
          title: body.title ?? `Session on ${project.name}`,
          status: 'open',
          settings,
          usage: emptyUsage(),
        });
        if (!existing) recordAudit(req.em, { actorId: userId, organizationId: session.organizationId, action: 'session.create', targetType: 'session', targetId: session.id, ip: req.ip ?? null });
        await req.em.flush();
        deps.sessionOrganizations.remember(session.id, session.organizationId);
        try {
          await startOnce<typeof sessionWorkflow>(temporal, 'sessionWorkflow', {
            workflowId: sessionWorkflowId(session.id),
            taskQueue: queues.agents,
            staticSummary: `Codegen session "${session.title}" on project ${project.name}`,
            typedSearchAttributes: searchAttributesOf.session({ organizationId: session.organizationId, projectId: project.id, sessionId: session.id }),
            args: [{
              sessionId: session.id,
              projectId: project.id,
              organizationId: session.organizationId,
              settings,
              idleTimeoutSeconds: config.SESSION_IDLE_SECONDS,
              maxTurns: config.SESSION_MAX_TURNS,
              previewProvider: config.PREVIEW_PROVIDER,
            }],
          });
        } catch (err) {
          // No workflow will ever take its messages: the row must not stay `open`.
          session.status = 'closed';
          await req.em.flush();
          req.log?.warn({ err }, 'session workflow start failed');
          // Temporal unreachable is already typed (503 temporal_unavailable); anything else is the service's fault too.
          throw knownError(err) ?? new AppError(ErrorCode.unavailable, 'The workflow service is unavailable: try again shortly');
        }
        return toSessionDto(session, prices);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/projects/:projectId/sessions',
      summary: "The project's sessions, newest first",
      tag: 'sessions',
      params: ProjectParams,
      query: PageQuery,
      response: Page(SessionDto),
      handler: async ({ params, query }, req) => {
        const project = await requireProject(req.em, req.auth!.userId, params.projectId, 'viewer');
        const page = await listProjectSessions(req.em, project.id, query);
        return { ...page, items: page.items.map((s) => toSessionDto(s, prices)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/sessions/:sessionId/close',
      summary: 'Close a session: it refuses new messages, finishes the ones it accepted, then ends (status closed)',
      tag: 'sessions',
      params: SessionParams,
      status: 202,
      response: SessionDto,
      handler: async ({ params }, req) => {
        const userId = req.auth!.userId;
        const session = await loadSession(req.em, userId, params.sessionId, 'editor');
        if (session.status === 'open') {
          // A session workflow that already ended (idle close racing this call) has nothing left to stop.
          await asCommand('closed', () => temporal.workflow.getHandle(sessionWorkflowId(session.id)).signal(closeSessionSignal)).catch(() => undefined);
          recordAudit(req.em, { actorId: userId, organizationId: session.organizationId, action: 'session.close', targetType: 'session', targetId: session.id, ip: req.ip ?? null });
          await req.em.flush();
        }
        return toSessionDto(session, prices);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sessions/:sessionId',
      summary: 'A session with its jobs, oldest first',
      tag: 'sessions',
      params: SessionParams,
      response: SessionWithJobs,
      handler: async ({ params }, req) => {
        const session = await loadSession(req.em, req.auth!.userId, params.sessionId, 'viewer');
        const jobs = await req.em.find(AgentJob, { sessionId: session.id }, { orderBy: { createdAt: 'asc' }, limit: 200 });
        return { ...toSessionDto(session, prices), jobs: jobs.map((job) => toJobDto(job, prices)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sessions/:sessionId/messages',
      summary: "The session's transcript: each turn's message and Forge's replies; newest first unless order=asc",
      tag: 'sessions',
      params: SessionParams,
      query: TranscriptQuery,
      response: Page(TranscriptEntryDto),
      handler: async ({ params, query }, req) => {
        const session = await loadSession(req.em, req.auth!.userId, params.sessionId, 'viewer');
        const page = await listTranscript(req.em, session.id, query);
        return { ...page, items: page.items.map(toTranscriptEntryDto) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/sessions/:sessionId/messages',
      creates: { under: '/jobs/:jobId', param: 'jobId', pointer: '/job/id' },
      summary: 'Send a message: a Temporal update on the session that queues a new job',
      tag: 'sessions',
      params: SessionParams,
      body: SendMessageBody,
      status: 202,
      response: z.object({ job: JobDto }),
      handler: async ({ params, body }, req) => ({
        job: await commands.sendMessage({ em: req.em, userId: req.auth!.userId, ip: req.ip, idempotencyKey: req.idempotencyKey }, params.sessionId, body.content),
      }),
    }),
  ];
};
