import { Webhooks } from '@octokit/webhooks';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import { GithubDelivery, Project } from '../../db/entities/index';
import { AppError, ErrorCode, unauthorized } from '../../domain/errors';
import { githubImportWorkflowId, TRAILER_PATTERN } from '../../domain/github';
import { taskQueues } from '../../domain/task-queues';
import type { githubImportWorkflow } from '../../workflows/github-sync';
import { searchAttributesOf } from '../../workflows/workflow-search-attributes';
import type { AppDeps } from '../deps';
import { defineRoute } from '../http/route';

/** The part of a push event Forge reads (the rest of GitHub's payload passes through unchecked). */
const PushEvent = z.object({
  ref: z.string(),
  after: z.string().regex(/^[0-9a-f]{40}$/),
  deleted: z.boolean().optional(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string().optional(), name: z.string().nullish() }) }),
  head_commit: z.object({ message: z.string() }).nullish(),
});

const WebhookAnswer = z.object({ status: z.enum(['accepted', 'duplicate', 'ignored']), projects: z.number().int() });

/**
 * POST /webhooks/github: pushes made outside Forge become versions (source `external`). The
 * signature (X-Hub-Signature-256, HMAC of the exact body with GITHUB_WEBHOOK_SECRET) is checked by
 * @octokit/webhooks before anything is written; a delivery id seen before is answered and ignored.
 */
export const githubWebhookRoutes = (deps: AppDeps) => {
  const secret = deps.config.GITHUB_WEBHOOK_SECRET;
  const webhooks = secret ? new Webhooks({ secret }) : undefined;
  const queue = taskQueues(deps.config.TEMPORAL_TASK_QUEUE_PREFIX).agents;
  return [
    defineRoute({
      method: 'post',
      path: '/webhooks/github',
      summary: 'GitHub webhook (push): signed deliveries only; each push to a connected branch is imported as a version',
      tag: 'github',
      auth: false,
      status: 202,
      response: WebhookAnswer,
      handler: async (_input, req) => {
        if (!webhooks) throw new AppError(ErrorCode.unavailable, 'GITHUB_WEBHOOK_SECRET is not set: webhooks are off');
        const signature = req.header('x-hub-signature-256');
        const valid = signature && req.rawBody ? await webhooks.verify(req.rawBody.toString('utf8'), signature).catch(() => false) : false;
        if (!valid) throw unauthorized('Missing or invalid webhook signature');
        const deliveryId = req.header('x-github-delivery') ?? '';
        const event = req.header('x-github-event') ?? '';
        if (!/^[\w-]{1,100}$/.test(deliveryId)) throw new AppError(ErrorCode.invalidInput, 'X-GitHub-Delivery is missing');
        const inserted = await req.em.getConnection().execute<Array<{ id: string }>>(
          'insert into github_deliveries (id, event, received_at) values (?, ?, now()) on conflict (id) do nothing returning id',
          [deliveryId, event.slice(0, 100)],
        );
        if (inserted.length === 0) return { status: 'duplicate' as const, projects: 0 };
        const push = event === 'push' ? PushEvent.safeParse(req.body) : undefined;
        if (!push?.success || push.data.deleted || !push.data.ref.startsWith('refs/heads/')) return { status: 'ignored' as const, projects: 0 };
        const { repository, ref, after, head_commit } = push.data;
        const owner = repository.owner.login ?? repository.owner.name ?? '';
        const branch = ref.slice('refs/heads/'.length);
        const projects = await req.em.find(Project, { storageBackend: 'github', deletionId: null });
        const targets = projects.filter((p) => {
          const c = (p.storageConfig ?? {}) as { owner?: string; name?: string; branch?: string };
          return c.owner?.toLowerCase() === owner.toLowerCase() && c.name?.toLowerCase() === repository.name.toLowerCase() && c.branch === branch;
        });
        let started = 0;
        for (const project of targets) {
          // Forge's own commit of this project comes back as a push too: it already is a version.
          if (TRAILER_PATTERN.exec(head_commit?.message ?? '')?.[1] === project.id) continue;
          await deps.temporal.workflow
            .start<typeof githubImportWorkflow>('githubImportWorkflow', {
              workflowId: githubImportWorkflowId(project.id, after),
              taskQueue: queue,
              args: [{ projectId: project.id, source: 'external' }],
              staticSummary: `Import push ${after.slice(0, 7)} to ${owner}/${repository.name}@${branch}`,
              typedSearchAttributes: searchAttributesOf.githubImport({ organizationId: project.organization.id, projectId: project.id }),
            })
            .then(() => started++, (err: unknown) => { if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; });
        }
        await req.em.flush();
        return { status: 'accepted' as const, projects: started };
      },
    }),
  ];
};
