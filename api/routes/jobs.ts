import { z } from 'zod';
import { AnswerBody, JobDto, RejectPlanBody } from '../../domain/agents';
import { pricesFrom } from '../../domain/llm-pricing';
import { createAgentCommands, type CommandContext } from '../agents/commands';
import { toJobDto } from '../agents/job-dto';
import { loadJob } from '../agents/load';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';
import type { Request } from 'express';
import { quotaPolicyFrom } from '../../domain/quotas';
import { createQuotaGuard } from '../quotas/quota-guard';

const JobParams = z.object({ jobId: z.uuid() });
const JobResult = z.object({ job: JobDto });
const ctx = (req: Request): CommandContext => ({ em: req.em, userId: req.auth!.userId, ip: req.ip, idempotencyKey: req.idempotencyKey });

export const jobRoutes = (deps: AppDeps) => {
  const prices = pricesFrom(deps.config);
  const commands = createAgentCommands(deps, createQuotaGuard(quotaPolicyFrom(deps.config)));
  const command = (path: string, summary: string, run: (req: Request, jobId: string, body: any) => Promise<JobDto>, body?: z.ZodType) =>
    defineRoute({
      method: 'post',
      path: `/jobs/:jobId/${path}`,
      summary,
      tag: 'jobs',
      params: JobParams,
      body,
      status: 202,
      response: JobResult,
      handler: async ({ params, body: input }, req) => ({ job: await run(req, params.jobId, input) }),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/jobs/:jobId',
      summary: 'A job: status, stage, plan, result version, error, usage',
      tag: 'jobs',
      params: JobParams,
      response: JobDto,
      handler: async ({ params }, req) => toJobDto(await loadJob(req.em, req.auth!.userId, params.jobId, 'viewer'), prices),
    }),
    command('approve', 'Approve the plan of a job waiting at the approval stage', (req, id) => commands.approvePlan(ctx(req), id)),
    command('reject', 'Reject the plan with feedback; the job re-plans', (req, id, body) => commands.rejectPlan(ctx(req), id, body.feedback), RejectPlanBody),
    command('answer', 'Answer the clarifying questions of a job', (req, id, body) => commands.answer(ctx(req), id, body.answer), AnswerBody),
    command('cancel', 'Cancel a running job; no version is saved', (req, id) => commands.cancel(ctx(req), id)),
    command('retry', 'Run a failed or cancelled job again from its last completed stage', (req, id) => commands.retry(ctx(req), id)),
  ];
};
