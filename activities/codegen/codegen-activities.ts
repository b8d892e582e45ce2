import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import type OpenAI from 'openai';
import { addUsage, emptyUsage, type IntentKind, type JobPlan, type Usage } from '../../domain/agents';
import type { EventDraft, FileHashes, FileSet, JobPatch } from '../../domain/agent-workflows';
import type { LlmConfig } from '../../domain/config';
import { topicFor } from '../../domain/events';
import { type WholeFile } from '../../domain/llm-edit-format';
import { buildPlannerMessages, buildRouterMessages } from '../../domain/llm-prompts';
import { type Intent, structuredOutputs } from '../../domain/llm-protocol';
import type { TypeCheckDiagnostic } from '../../domain/type-check';
import { Project } from '../../db/entities/index';
import { readBlobs } from '../../db/repositories/blobs';
import { generatedBy, recordGenerated, type GeneratedFile } from '../../db/repositories/generated-files';
import { mapLimited } from '../../domain/map-limited';
import { createConversationLoader } from '../agents/conversation';
import { modelForRole, structuredCompletion } from '../llm/index';
import { settleUsage } from '../llm/usage-meter';
import { currentActivity } from '../current-activity';
import { createFileSetResolver, type ResolveFiles } from '../agents/file-sets';
import { storageFor, type StorageBackend } from '../storage/index';
import { createAttemptUsage } from './attempt-usage';
import { fixWithModel, writeFileWithModel, type ModelCall } from './write-with-model';

const HEARTBEAT_EVERY_MS = 1_000;

type PlannedFile = JobPlan['files'][number];
/** What writing a plan's files needs: the request, the plan and the files it starts from. */
interface GenerateInput extends Reported {
  jobId: string;
  projectId: string;
  request: string;
  plan: JobPlan;
  files: FileSet;
}

export interface CodegenDeps {
  orm: MikroORM;
  llm: OpenAI;
  config: LlmConfig;
  /** Live, transient token deltas (never stored); absent where nobody relays them. */
  publishDelta?: (topic: string, data: Record<string, unknown>) => void;
  /** Sends the deltas still held for their window: a call's last tokens go out before its activity returns. */
  flushDeltas?: () => Promise<void>;
  /** Shared with the other activities of the process, so a version's listing is read once. */
  resolveFiles?: ResolveFiles;
  /** The job's bookkeeping write (job-activities.ts), for the stage report a model activity is handed. */
  reportJob: (report: { jobId: string } & StageReport) => Promise<void>;
}

/** The row patch and events the workflow queued before a model stage (workflows/progress.ts handOff). */
export interface StageReport {
  patch: JobPatch;
  events: EventDraft[];
}

/** What every model activity may be handed: written before its first model call (keyed: a retry writes nothing twice). */
interface Reported {
  report?: StageReport | undefined;
}

/**
 * The model-facing stages of a codegen job. Each call reads file contents by hash and stores what it
 * writes as blobs, returning hashes: the workflow's history stays small and a retry re-stores the
 * same blob (content-addressed), so nothing is written twice.
 */
export function createCodegenActivities(deps: CodegenDeps) {
  const resolveFiles = deps.resolveFiles ?? createFileSetResolver(deps.orm).resolve;
  const contents = async (set: FileSet): Promise<WholeFile[]> => {
    const files = await resolveFiles(set);
    const paths = Object.keys(files);
    const blobs = await readBlobs(deps.orm.em.fork(), paths.map((p) => files[p]!).filter(Boolean));
    return paths.filter((p) => files[p] && blobs.has(files[p]!)).sort().map((path) => ({ path, content: blobs.get(files[path]!)! }));
  };
  /** The project's backend, looked up once per activity: every file the activity writes goes to the same project. */
  const storageOf = async (projectId: string): Promise<StorageBackend> => {
    const em = deps.orm.em.fork();
    return storageFor(em, await em.findOneOrFail(Project, projectId));
  };
  const store = async (storage: StorageBackend, written: WholeFile[]): Promise<FileHashes> => {
    const entries = await storage.putFiles(written);
    return Object.fromEntries(entries.map((e) => [e.path, e.hash]));
  };
  const conversationFor = createConversationLoader(deps);
  // No heartbeat per streamed chunk: `beating` beats on a timer, and stalls are the idle timer's job.
  const call = (jobId: string, signal = Context.current().cancellationSignal): ModelCall => ({
    client: deps.llm,
    config: deps.config,
    signal,
    onDelta: deps.publishDelta ? (data) => deps.publishDelta!(topicFor('job', jobId), data) : undefined,
  });
  /**
   * A cancellation reaches an activity only in the answer to a heartbeat, and a model that has not
   * sent its first token yet (or a stream that stalls) sends none: beat on a timer so a cancelled
   * job aborts its model call within a heartbeat interval. `progress` is the beat's details, which
   * the Temporal UI shows on the pending activity.
   */
  const charged = createAttemptUsage(deps.orm);
  const beating = async <T extends { usage: Usage }>(input: Reported & { jobId: string }, run: () => Promise<T>, progress?: () => unknown): Promise<T> => {
    const context = Context.current();
    const timer = setInterval(() => context.heartbeat(progress?.()), HEARTBEAT_EVERY_MS);
    try {
      // The stage's report first: clients see the stage before its first token.
      if (input.report) await deps.reportJob({ jobId: input.jobId, ...input.report });
      // Tokens of a failed attempt still count (attempt-usage.ts).
      return await charged(run);
    } finally {
      clearInterval(timer);
      // Before the workflow records the finished text as a durable event: clients see the stream end first.
      await deps.flushDeltas?.();
    }
  };

  /** One file through the coder, stored as a blob: its hash and what its calls cost. */
  const writeOne = async (model: ModelCall, input: GenerateInput, file: PlannedFile, context: { files: WholeFile[]; history: string | undefined; storage: StorageBackend }): Promise<GeneratedFile> => {
    const { storage, ...prompt } = context;
    const result = await writeFileWithModel(model, { request: input.request, plan: input.plan, file, ...prompt });
    const hashes = await store(storage, [{ path: file.path, content: result.content }]);
    return { hash: hashes[file.path]!, usage: result.usage };
  };

  return {
    classifyIntent: (input: Reported & { jobId: string; request: string; files: FileSet }): Promise<{ intent: Intent; usage: Usage }> => beating(input, async () => {
      const { signal, onDelta } = call(input.jobId);
      const { history, usage: condensing } = await conversationFor(input.jobId, 'router', { signal });
      const files = await resolveFiles(input.files);
      const { value, usage } = await structuredCompletion(deps.llm, {
        role: 'router',
        // The router's reply (the answer to a question, or the questions) streams like the coder's.
        onDelta: onDelta ? (text) => onDelta({ role: 'router', text }) : undefined,
        model: modelForRole(deps.config, 'router'),
        messages: buildRouterMessages({ request: input.request, filePaths: Object.keys(files).sort(), history }),
        schema: structuredOutputs.intent,
        signal,
      });
      // An empty project cannot be edited or fixed: whatever the wording, the change builds a new app.
      const kind: IntentKind = Object.keys(files).length === 0 && (value.kind === 'edit' || value.kind === 'fix') ? 'new_app' : value.kind;
      return { intent: { ...value, kind }, usage: addUsage(usage, condensing) };
    }),

    planChanges: (input: Reported & { jobId: string; request: string; intent: Intent; files: FileSet; feedback?: string }): Promise<{ plan: JobPlan; usage: Usage }> => beating(input, async () => {
      const { signal, onDelta } = call(input.jobId);
      const { history, usage: condensing } = await conversationFor(input.jobId, 'planner', { signal });
      const { value, usage } = await structuredCompletion(deps.llm, {
        role: 'planner',
        onDelta: onDelta ? (text) => onDelta({ role: 'planner', text }) : undefined,
        model: modelForRole(deps.config, 'planner'),
        messages: buildPlannerMessages({ request: input.request, intent: input.intent, files: await contents(input.files), feedback: input.feedback, history }),
        schema: structuredOutputs.plan,
        signal,
      });
      return { plan: value, usage: addUsage(usage, condensing) };
    }),

    /** Writes one planned file; `hash: null` means the plan deletes it. Runs from before generateFiles use it. */
    generateFile: (input: GenerateInput & { file: PlannedFile }): Promise<{ path: string; hash: string | null; usage: Usage }> => beating(input, async () => {
      const { file } = input;
      if (file.action === 'delete') return { path: file.path, hash: null, usage: emptyUsage() };
      const model = call(input.jobId);
      const { history, usage: condensing } = await conversationFor(input.jobId, 'coder', model);
      const written = await writeOne(model, input, file, { files: await contents(input.files), history, storage: await storageOf(input.projectId) });
      return { path: file.path, hash: written.hash, usage: addUsage(written.usage, condensing) };
    }),

    /**
     * Writes every file of the plan, `concurrency` at a time, in one activity: the job pays one task
     * and one history entry for its generation instead of one per file, and reads the conversation
     * and the base files once. Each written file is recorded (generated-files.ts) before the next
     * heartbeat, so a retried attempt asks the model only for the files still missing. The first
     * failure stops the calls still in flight. Returns path -> hash for every planned file (null: deleted).
     */
    generateFiles: (input: GenerateInput & { concurrency: number }): Promise<{ files: Record<string, string | null>; usage: Usage }> => {
      const planned = input.plan.files;
      let written = new Map<string, GeneratedFile>();
      return beating(input, async () => {
        const em = deps.orm.em.fork();
        const activityKey = currentActivity().idempotencyKey;
        // Rows are keyed by this activity of this run: only a retry can find some.
        if ((Context.current().info.attempt ?? 1) > 1) written = await generatedBy(em, activityKey);
        const missing = planned.filter((f) => f.action !== 'delete' && !written.has(f.path));
        let condensing = emptyUsage();
        if (missing.length > 0) {
          const stop = new AbortController();
          const model = call(input.jobId, AbortSignal.any([Context.current().cancellationSignal, stop.signal]));
          const [conversation, files, storage] = await Promise.all([conversationFor(input.jobId, 'coder', model), contents(input.files), storageOf(input.projectId)]);
          condensing = conversation.usage;
          try {
            await mapLimited(missing, input.concurrency, async (file) => {
              const one = await writeOne(model, input, file, { files, history: conversation.history, storage });
              await recordGenerated(em, { jobId: input.jobId, activityKey, path: file.path, ...one });
              // Kept in its row now: a failed attempt does not count these tokens again (attempt-usage.ts).
              settleUsage(one.usage);
              written.set(file.path, one);
            });
          } catch (err) {
            stop.abort();
            throw err;
          }
        }
        const usage = [...written.values()].reduce((sum, w) => addUsage(sum, w.usage), condensing);
        return { files: Object.fromEntries(planned.map((f) => [f.path, f.action === 'delete' ? null : written.get(f.path)!.hash])), usage };
      }, () => ({ written: written.size, of: planned.filter((f) => f.action !== 'delete').length }));
    },

    /** Asks the fixer for edits that clear the diagnostics; returns the changed files only. */
    fixFiles: (input: Reported & { jobId: string; projectId: string; diagnostics: TypeCheckDiagnostic[]; files: FileSet }): Promise<{ files: FileHashes; usage: Usage }> => beating(input, async () => {
      const result = await fixWithModel(call(input.jobId), { diagnostics: input.diagnostics, files: await contents(input.files) });
      return { files: result.changed.length ? await store(await storageOf(input.projectId), result.changed) : {}, usage: result.usage };
    }),
  };
}
