import { z } from 'zod';
import { PreviewTtl } from './preview-workflow-input';
import { DeliveryError, ProviderName, type ProviderRef } from './providers';
import { VersionNumber } from './versions';

// Previews: a version built and served for a limited time. States, request bodies, what the workflow records.

export const PreviewStatus = z.enum(['pending', 'building', 'starting', 'live', 'failed', 'destroyed']);
export type PreviewStatus = z.infer<typeof PreviewStatus>;

/** The lifetime's bounds, default and the workflow's input: domain/preview-workflow-input.ts (checked there without zod). */
const TtlSeconds = z.int().min(PreviewTtl.minSeconds).max(PreviewTtl.maxSeconds);

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
