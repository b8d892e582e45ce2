import { ApplicationFailure } from '@temporalio/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Project } from '../../db/entities/index';
import { readBlobs } from '../../db/repositories/blobs';
import { appendEvents } from '../../db/repositories/event-log';
import { findVersion } from '../../db/repositories/versions';
import type { FileSet } from '../../domain/agent-workflows';
import type { ResolveFiles } from '../agents/file-sets';
import { DeliveryFailureType } from '../../domain/errors';
import { splitTopic, type Topic } from '../../domain/events';
import { BuildStage } from '../../domain/previews';
import type { ProviderRef } from '../../domain/providers';
import type { BuiltApp, HealthVerdict } from '../builds/build-activities';
import { LogTail } from '../builds/log-tail';
import type { SourceFile } from '../builds/materialize';
import { loadProvider, type ProviderDeps } from '../providers/provider-registry';
import { storageFor } from '../storage/index';
import type { FailureDetails } from './logged-activity';

/**
 * The most source one build or check takes over its channel, the activity payloads: the files go
 * from here to the workflow and on to the builder, and Temporal warns at 2 MB per payload and
 * refuses 4 MB (gRPC). Generated apps are tens of KB; a larger version fails with a clear error.
 */
export const BUILD_FILES_MAX_BYTES = 1536 * 1024;

function capped<T>(what: string, bytes: number, value: T): T {
  if (bytes <= BUILD_FILES_MAX_BYTES) return value;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  throw ApplicationFailure.nonRetryable(`${what} holds ${mib(bytes)} of source; builds take at most ${mib(BUILD_FILES_MAX_BYTES)}`, DeliveryFailureType.versionTooLarge);
}

/**
 * The agents side of the builder's channel (agents queue, with the database): it hands one
 * build exactly its version's files, and records what the builder reports (stages, health), since
 * a builder has no database. Every write is keyed, so a retry records nothing twice.
 */
export function createBuildChannelActivities({ orm, providers, resolveFiles }: { orm: MikroORM; providers: ProviderDeps; resolveFiles: ResolveFiles }) {
  return {
    /** A version's files for one build, passed to the builder in the activity input. */
    async loadBuildFiles({ projectId, version }: { projectId: string; version: number }): Promise<SourceFile[]> {
      const em = orm.em.fork();
      const project = await em.findOneOrFail(Project, projectId);
      const files = (await storageFor(em, project).getFiles(await findVersion(em, projectId, version))).map(({ path, content }) => ({ path, content }));
      return capped(`Version ${version}`, files.reduce((sum, f) => sum + Buffer.byteLength(f.content) + f.path.length, 0), files);
    },

    /** Contents of a file set (a job's tree or a path -> hash map), for one type-check: workflows carry references, builders get contents. */
    async readCheckFiles({ files: set }: { files: FileSet }): Promise<Record<string, string>> {
      const files = await resolveFiles(set);
      const blobs = await readBlobs(orm.em.fork(), Object.values(files));
      const contents = Object.fromEntries(Object.entries(files).map(([path, hash]) => [path, blobs.get(hash) ?? '']));
      return capped('The app', Object.values(contents).reduce((sum, c) => sum + Buffer.byteLength(c), 0), contents);
    },

    /** The stages a finished build went through (a reused artifact went through them earlier), as durable events. */
    async recordBuildStages({ topic, app }: { topic: Topic; app: Pick<BuiltApp, 'durationsMs'> }): Promise<void> {
      await appendEvents(
        orm.em.fork(),
        topic,
        BuildStage.options.map((stage) => ({ type: 'build.stage', data: { stage, durationMs: app.durationsMs[stage] ?? 0 }, key: `${topic}:build.stage:${stage}` })),
      );
    },

    /** Records the builder's verdict; a failed check is final, carrying the problems and the server's last lines. */
    async recordHealthCheck(input: { organizationId: string; ref: ProviderRef; topic: Topic; verdict: HealthVerdict }): Promise<void> {
      const { ref, topic, verdict } = input;
      const event = { type: 'health.check', data: { url: ref.url, ok: verdict.ok, problems: verdict.problems } };
      await appendEvents(orm.em.fork(), topic, [{ ...event, key: `${topic}:health.check:${ref.resource}:${verdict.ok}` }]);
      if (verdict.ok) return;
      const serverLog = ref.provider === 'local' ? verdict.serverLog : await loadProvider(orm.em.fork(), providers, input.organizationId, ref.provider).then((p) => p.logs(ref, 20)).catch(() => []);
      const tail = new LogTail();
      for (const line of [...verdict.problems, ...serverLog]) tail.push(line);
      throw ApplicationFailure.create({
        type: DeliveryFailureType.healthCheckFailed,
        message: `The ${splitTopic(topic).kind} does not serve a working app: ${verdict.problems.join('; ')}`,
        nonRetryable: true,
        details: [{ logTail: tail.get() } satisfies FailureDetails],
      });
    },
  };
}
