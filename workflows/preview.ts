import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { createDeliveryRecordActivities } from '../activities/deployments/record-activities';
import { ErrorCode } from '../domain/errors';
import { parsePreviewWorkflowInput, type PreviewWorkflowInput } from '../domain/preview-workflow-input';
import type { PreviewPatch, PreviewState, PreviewStatus } from '../domain/previews';
import { previewResourceName } from '../domain/provider-names';
import { topicFor } from '../domain/topics';
import { storageWrite } from './activity-options';
import { deliveryActivities } from './delivery-activities';
import { compensate, deliveryFailure, type DeliveryFailure } from './delivery-failure';
import { destroyPreviewUpdate, extendPreviewUpdate, previewStateQuery } from './preview-signals';
import { workflowProgress } from './progress';

const records = proxyActivities<ReturnType<typeof createDeliveryRecordActivities>>(storageWrite);

export type PreviewOutcome = { status: 'destroyed'; reason: 'expired' | 'deleted' } | ({ status: 'failed' } & DeliveryFailure);

const ended = (status: PreviewStatus) => status === 'failed' || status === 'destroyed';

/**
 * One preview (workflow `preview-<id>`): build the version, start it with the provider, check it
 * really serves the app, then keep it live on a durable timer that `extendPreview` restarts and
 * `destroyPreview` cuts short. Whatever happens, what was started is removed at the end (saga
 * compensation in a non-cancellable scope), so a preview never outlives its workflow.
 */
export async function previewWorkflow(raw: PreviewWorkflowInput): Promise<PreviewOutcome> {
  // Bad input is a failed workflow, not a workflow task that throws on every retry forever.
  const parsed = parsePreviewWorkflowInput(raw);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(`Invalid preview input: ${parsed.problems.join('; ')}`, ErrorCode.invalidInput);
  const { input } = parsed;
  const { previewId, organizationId, provider } = input;
  const topic = topicFor('preview', previewId);
  const resource = previewResourceName(previewId);
  // Each activity on the queue allowed to run it: builds and local servers on builders, the rest by provider.
  const builder = deliveryActivities({ waitForCancelledBuild: true });
  const rollout = builder;
  const calls = builder;

  let state: PreviewState = { status: 'pending', url: null, expiresAt: null };
  let ttlSeconds = input.ttlSeconds;
  let deleted = false;
  /** Set once the preview heads for its end (expired, deleted or failed): no extend may start after it. */
  let ending = false;
  const pipeline = new CancellationScope();

  let recorded = false;
  const progress = workflowProgress<PreviewStatus, PreviewPatch>({
    // Unbatched, so this runs before report() first waits: the query answers the state being written.
    send: async ({ patch, events }) => {
      state = { status: patch.status ?? state.status, url: patch.url === undefined ? state.url : patch.url, expiresAt: patch.expiresAt === undefined ? state.expiresAt : patch.expiresAt };
      const stamped = events.map((e) => ({ ...e, data: { ...e.data, status: state.status } }));
      // Until one report went through, each also creates the row if the starter (a codegen job) did not.
      await records.recordPreview({ previewId, patch, events: stamped, ...(recorded ? {} : { create: input }) });
      recorded = true;
    },
    entered: (status, detail) => ({ patch: { status }, event: { type: 'preview.status', data: { detail } }, details: `**${status}**: ${detail}` }),
  });
  const { report, enter } = progress;
  const renew = () => new Date(Date.now() + ttlSeconds * 1000).toISOString();

  setHandler(previewStateQuery, () => state);
  setHandler(
    extendPreviewUpdate,
    async (args) => {
      ttlSeconds = args.ttlSeconds ?? ttlSeconds;
      const expiresAt = renew();
      await report({ expiresAt, ttlSeconds }, [{ type: 'preview.extended', data: { expiresAt, ttlSeconds } }]);
      return state;
    },
    {
      validator: (_args) => {
        if (ending || deleted) conflict('This preview is being removed');
        if (state.status !== 'live') conflict(`Only a live preview can be extended; this one is ${state.status}`);
      },
    },
  );
  setHandler(
    destroyPreviewUpdate,
    () => {
      deleted = true;
      pipeline.cancel();
      return state;
    },
    { validator: () => void (ended(state.status) && conflict(`This preview has already ended (${state.status})`)) },
  );

  let built = false;
  let started = false;
  let outcome: PreviewOutcome;
  try {
    await pipeline.run(async () => {
      await enter('building', `building version ${input.version}`);
      built = true;
      const app = await builder.buildVersion({ buildId: previewId, topic, projectId: input.projectId, version: input.version });
      await enter('starting', `starting on ${provider}`);
      started = true;
      const ref = await rollout.startPreviewServer({ organizationId, provider, topic, resource, projectId: input.projectId, artifactDir: app.artifactDir });
      await calls.checkHealth({ organizationId, ref, rootElementId: app.rootElementId, topic });
      progress.show('live', `**live** at ${ref.url}`);
      await report({ status: 'live', url: ref.url, providerRef: ref, expiresAt: renew(), logTail: app.logTail }, [{ type: 'preview.status', data: { url: ref.url, detail: 'serving' } }]);
    });
    // The lifetime: a durable timer, restarted by every extend, cut short by a delete.
    for (;;) {
      setCurrentDetails(`**live** at ${state.url} until ${state.expiresAt}`);
      const deadline = state.expiresAt;
      const remaining = Date.parse(deadline!) - Date.now();
      if (remaining <= 0 || !(await condition(() => deleted || state.expiresAt !== deadline, remaining))) break;
      if (deleted) break;
    }
    outcome = { status: 'destroyed', reason: deleted ? 'deleted' : 'expired' };
  } catch (err) {
    outcome = isCancellation(err) || deleted ? { status: 'destroyed', reason: 'deleted' } : { status: 'failed', ...deliveryFailure(err) };
  }

  ending = true;
  let extendsFirst = false;
  // Compensation: runs even when the workflow itself is being cancelled.
  await CancellationScope.nonCancellable(async () => {
    // An extend accepted before the end finishes its write first, so `destroyed` is the last word
    // (patched: a run that ended before this waited only after its compensation).
    extendsFirst = patched('preview-extend-finishes-before-end');
    if (extendsFirst) await condition(allHandlersFinished);
    setCurrentDetails(`**${outcome.status}**: removing what was started`);
    if (started) await compensate(`remove ${resource}`, () => calls.removeResource({ organizationId, provider, resource }));
    if (built) await compensate('remove the build', () => builder.removeBuild({ buildId: previewId }));
    if (outcome.status === 'failed') {
      progress.show('failed', `**failed**: ${outcome.error.code}: ${outcome.error.message}`);
      await report({ status: 'failed', url: null, expiresAt: null, error: outcome.error, logTail: outcome.logTail }, [{ type: 'preview.status', data: { error: outcome.error, logTail: outcome.logTail } }]);
    } else {
      progress.show('destroyed', `**destroyed** (${outcome.reason})`);
      await report({ status: 'destroyed', url: null, expiresAt: null }, [{ type: 'preview.status', data: { reason: outcome.reason } }]);
    }
  });
  if (!extendsFirst) await condition(allHandlersFinished);
  return outcome;
}

function conflict(message: string): never {
  throw ApplicationFailure.nonRetryable(message, ErrorCode.conflict);
}
