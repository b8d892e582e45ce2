import { z } from 'zod';
import { DeliveryError, ProviderName, type ProviderRef } from './providers';
import { VersionNumber } from './versions';

// Previews: a version built and served for a limited time. States, request bodies, workflow input.

export const PreviewStatus = z.enum(['pending', 'building', 'starting', 'live', 'failed', 'destroyed']);
export type PreviewStatus = z.infer<typeof PreviewStatus>;

/** Default lifetime and its bounds: long enough to click around, short enough to free the machine. */
export const PreviewTtl = { defaultSeconds: 30 * 60, minSeconds: 60, maxSeconds: 24 * 3600 } as const;

const TtlSeconds = z.int().min(PreviewTtl.minSeconds).max(PreviewTtl.maxSeconds);
/** The workflow takes any positive lifetime (tests and operators use short ones); the API holds users to the bounds. */
const WorkflowTtlSeconds = z.int().positive().max(PreviewTtl.maxSeconds);

/** `version` defaults to the project's current version. */
export const CreatePreviewBody = z.object({ version: VersionNumber.optional(), ttlSeconds: TtlSeconds.optional() }).default({});
export type CreatePreviewBody = z.infer<typeof CreatePreviewBody>;

/** `ttlSeconds` defaults to the preview's own lifetime: the timer restarts from now. */
export const ExtendPreviewBody = z.object({ ttlSeconds: TtlSeconds.optional() }).default({});
export type ExtendPreviewBody = z.infer<typeof ExtendPreviewBody>;

export const PreviewParams = z.object({ id: z.uuid() });

/** Build stages, in order; each is a durable `build.stage` event on the preview's or deployment's topic. */
export const BuildStage = z.enum(['materialize', 'install', 'build']);
export type BuildStage = z.infer<typeof BuildStage>;

export const PreviewDto = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  organizationId: z.uuid(),
  version: VersionNumber,
  provider: ProviderName,
  status: PreviewStatus,
  url: z.string().nullable(),
  ttlSeconds: z.int(),
  expiresAt: z.iso.datetime().nullable(),
  error: DeliveryError.nullable(),
  /** The last lines of the build and server log (the whole log streams as deltas on `preview:<id>`). */
  logs: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PreviewDto = z.infer<typeof PreviewDto>;

/**
 * Input of `previewWorkflow` (workflow id `preview-<previewId>`). The API starts it; a codegen job
 * starts it as an abandoned child for the version it saved. The workflow creates its own row if
 * the starter did not, so either starter only needs this object.
 */
export const PreviewWorkflowInput = z.object({
  previewId: z.uuid(),
  projectId: z.uuid(),
  organizationId: z.uuid(),
  version: VersionNumber,
  ttlSeconds: WorkflowTtlSeconds.default(PreviewTtl.defaultSeconds),
  provider: ProviderName.default('local'),
  /** The user who asked, or null when a codegen job started it. */
  requestedBy: z.uuid().nullable().default(null),
});
export type PreviewWorkflowInput = z.input<typeof PreviewWorkflowInput>;

/** What the workflow records on the preview row; each report is one transaction with its events. */
export interface PreviewPatch {
  status?: PreviewStatus;
  url?: string | null;
  expiresAt?: string | null;
  ttlSeconds?: number;
  providerRef?: ProviderRef | null;
  error?: DeliveryError | null;
  logTail?: string[];
}

export interface PreviewState {
  status: PreviewStatus;
  url: string | null;
  expiresAt: string | null;
}
