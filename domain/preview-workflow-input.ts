import { isProviderName, providerNames, type ProviderName } from './provider-names';
import { isIntBetween, isUuid, PG_INT_MAX } from './value-checks';

// The input of `previewWorkflow`, checked without zod inside the workflow (domain/value-checks.ts
// says why). The API's preview bodies (domain/previews.ts) use the same lifetime bounds.

/** Default lifetime and its bounds: long enough to click around, short enough to free the machine. */
export const PreviewTtl = { defaultSeconds: 30 * 60, minSeconds: 60, maxSeconds: 24 * 3600 } as const;

/**
 * Input of `previewWorkflow` (workflow id `preview-<previewId>`). The API starts it; a codegen job
 * starts it as an abandoned child for the version it saved. The workflow creates its own row if
 * the starter did not, so either starter only needs this object.
 */
export interface PreviewWorkflowInput {
  previewId: string;
  projectId: string;
  organizationId: string;
  version: number;
  /** The workflow takes any positive lifetime (tests and operators use short ones); the API holds users to the bounds. */
  ttlSeconds?: number;
  provider?: ProviderName;
  /** The user who asked, or null when a codegen job started it. */
  requestedBy?: string | null;
}
/** The input with its defaults filled in. */
export type PreviewWorkflowArgs = Required<PreviewWorkflowInput>;

type Parsed = { ok: true; input: PreviewWorkflowArgs } | { ok: false; problems: string[] };

/** Checks every field (the problems name each bad one) and fills the defaults; unknown fields are dropped, as zod did. */
export function parsePreviewWorkflowInput(raw: unknown): Parsed {
  if (typeof raw !== 'object' || raw === null) return { ok: false, problems: ['Expected an object'] };
  const { previewId, projectId, organizationId, version, ttlSeconds = PreviewTtl.defaultSeconds, provider = 'local', requestedBy = null } = raw as Record<string, unknown>;
  const problems = [
    isUuid(previewId) || 'previewId: Invalid UUID',
    isUuid(projectId) || 'projectId: Invalid UUID',
    isUuid(organizationId) || 'organizationId: Invalid UUID',
    isIntBetween(version, 1, PG_INT_MAX) || `version: Expected an integer from 1 to ${PG_INT_MAX}`,
    isIntBetween(ttlSeconds, 1, PreviewTtl.maxSeconds) || `ttlSeconds: Expected an integer from 1 to ${PreviewTtl.maxSeconds}`,
    isProviderName(provider) || `provider: Expected one of ${providerNames.join(', ')}`,
    requestedBy === null || isUuid(requestedBy) || 'requestedBy: Invalid UUID',
  ].filter((problem) => problem !== true);
  if (problems.length > 0) return { ok: false, problems };
  // Every field passed its check above. The key order is the one the workflow always sent its activity.
  return { ok: true, input: { previewId, projectId, organizationId, version, ttlSeconds, provider, requestedBy } as PreviewWorkflowArgs };
}
