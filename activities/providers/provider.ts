import type { ProviderName, ProviderRef } from '../../domain/providers';

/** A built app to serve: the resource name it runs under and its `dist/` on this host. */
export interface ServeRequest {
  /** `preview-<id>` or `deploy-<id>` (domain/providers.ts): also how the reaper finds the owner. */
  resource: string;
  /** Stable per project: production providers keep one service per project and deploy into it. */
  projectId: string;
  artifactDir: string;
  onLine?: (line: string) => void;
  /** Called while a long provider operation waits (a deploy rolling out), so the activity heartbeats. */
  onProgress?: () => void;
  signal?: AbortSignal;
}

export type ResourceState = 'running' | 'starting' | 'stopped' | 'failed' | 'missing';

/**
 * One interface for previews and production, chosen by name (provider-registry.ts). Every method
 * is safe to repeat: activities calling it are retried, so `start` of a running resource returns
 * it, and `stop`/`destroy` of a missing one succeed. Errors are ApplicationFailures with a
 * DeliveryFailureType: rejected requests are final, rate limits and outages are retried.
 */
export interface Provider {
  readonly name: ProviderName;

  /** Serves a preview; returns its handle with the URL. */
  start(request: ServeRequest): Promise<ProviderRef>;
  /** Removes everything a preview holds. */
  stop(ref: ProviderRef): Promise<void>;
  status(ref: ProviderRef): Promise<ResourceState>;
  /** The last lines the running app (or its platform) logged. */
  logs(ref: ProviderRef, limit: number): Promise<string[]>;

  /** Ships a production deployment; resolves once the provider reports it rolled out. */
  deploy(request: ServeRequest): Promise<ProviderRef>;
  /** Makes `to` (the previous live deployment) serve again after `failed` (null: nothing was created). */
  rollback(failed: ProviderRef | null, to: ProviderRef, request: Pick<ServeRequest, 'onLine' | 'onProgress' | 'signal'>): Promise<ProviderRef>;
  /** Frees what one deployment holds (a superseded one, or a failed first one). */
  destroy(ref: ProviderRef): Promise<void>;

  /** Names of the resources this provider runs for Forge (`preview-<id>`, `deploy-<id>`): the reaper's view. */
  list(): Promise<string[]>;
  /** Removes a resource known only by name (an orphan the reaper found). */
  remove(resource: string): Promise<void>;
}
