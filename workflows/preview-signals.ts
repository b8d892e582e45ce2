import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PreviewState } from '../domain/previews';

// The preview workflow's handlers, imported by api/ (never the workflow body).

/** Restarts the lifetime timer from now (`ttlSeconds` defaults to the preview's own); live previews only. */
export const extendPreviewUpdate = defineUpdate<PreviewState, [{ ttlSeconds?: number }]>('extendPreview');

/** Ends the preview now: stops a build in progress, removes what the provider runs. */
export const destroyPreviewUpdate = defineUpdate<PreviewState, []>('destroyPreview');

export const previewStateQuery = defineQuery<PreviewState>('previewState');
