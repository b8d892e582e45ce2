import type { z } from 'zod';
import type { ProviderRef, RenderSecrets, RenderSettings } from '../../domain/providers';
import type { ImagePublisher } from './docker-provider';
import type { Provider, ServeRequest } from './provider';
import { providerJson, providerRejected, waitUntil, type ProviderRequest } from './provider-http';

type Settings = z.infer<typeof RenderSettings>;
type Secrets = z.infer<typeof RenderSecrets>;

interface RenderService {
  id: string;
  name: string;
  serviceDetails?: { url?: string };
}
interface RenderDeploy {
  id: string;
  status: string;
}

const failedStatuses = new Set(['build_failed', 'update_failed', 'canceled', 'pre_deploy_failed', 'deactivated']);
/** One service per preview; production is one service per project that every deployment ships into. */
const serviceName = (request: Pick<ServeRequest, 'resource' | 'projectId'>) =>
  request.resource.startsWith('preview-') ? `forge-${request.resource}` : `forge-${request.projectId}`;

/**
 * Render's public REST API (https://api.render.com/v1): image-backed web services. The image is
 * built and pushed by the publisher (Docker Engine), then Render pulls and rolls it out; a
 * rollback is Render's own "roll back to deploy".
 */
export function createRenderProvider(settings: Settings, secrets: Secrets, publisher: ImagePublisher, pollMs = 5_000): Provider {
  const call = <T>(path: string, request: ProviderRequest = {}) =>
    providerJson<T>('render', settings.apiUrl + path, { ...request, headers: { authorization: `Bearer ${secrets.apiKey}` } });

  async function findService(name: string): Promise<RenderService | null> {
    const { body } = await call<Array<{ service: RenderService }>>(`/services?${new URLSearchParams({ name, ownerId: settings.ownerId, limit: '1' })}`);
    return body[0]?.service ?? null;
  }

  async function rolledOut(serviceId: string, deployId: string, request: Pick<ServeRequest, 'onProgress' | 'signal'>): Promise<void> {
    await waitUntil('render deploy', async () => {
      const { body } = await call<RenderDeploy>(`/services/${serviceId}/deploys/${deployId}`);
      if (failedStatuses.has(body.status)) throw providerRejected('render', `deploy ${deployId} ended ${body.status}`);
      return body.status === 'live' ? true : undefined;
    }, { intervalMs: pollMs, timeoutMs: 15 * 60_000, onProgress: request.onProgress, signal: request.signal });
  }

  async function ship(request: ServeRequest): Promise<ProviderRef> {
    const image = await publisher.publish(request.artifactDir, `${settings.imageRepository}:${request.resource}`, request.onLine);
    const name = serviceName(request);
    let service = await findService(name);
    let deployId: string;
    if (!service) {
      const { body } = await call<{ service: RenderService; deployId: string }>('/services', {
        method: 'POST',
        body: { type: 'web_service', name, ownerId: settings.ownerId, image: { ownerId: settings.ownerId, imagePath: image }, serviceDetails: { runtime: 'image', plan: settings.plan, region: settings.region } },
      });
      service = body.service;
      deployId = body.deployId;
    } else {
      deployId = (await call<RenderDeploy>(`/services/${service.id}/deploys`, { method: 'POST', body: { imageUrl: image } })).body.id;
    }
    request.onLine?.(`render: deploy ${deployId} of ${name}`);
    await rolledOut(service.id, deployId, request);
    const url = service.serviceDetails?.url;
    if (!url) throw providerRejected('render', `service ${name} has no URL`);
    return { provider: 'render', resource: request.resource, url: url.endsWith('/') ? url : `${url}/`, data: { serviceId: service.id, deployId } };
  }

  const deleteService = async (serviceId: string) => void (await call(`/services/${serviceId}`, { method: 'DELETE', accept: [404] }));

  return {
    name: 'render',
    start: ship,
    stop: (ref) => deleteService(ref.data.serviceId!),
    async status(ref) {
      const { status, body } = await call<RenderDeploy>(`/services/${ref.data.serviceId}/deploys/${ref.data.deployId}`, { accept: [404] });
      if (status === 404) return 'missing';
      return body.status === 'live' ? 'running' : failedStatuses.has(body.status) ? 'failed' : 'starting';
    },
    async logs(ref, limit) {
      const query = new URLSearchParams({ ownerId: settings.ownerId, resource: ref.data.serviceId!, limit: String(limit) });
      const { body } = await call<{ logs: Array<{ message: string }> }>(`/logs?${query}`);
      return body.logs.map((l) => l.message);
    },
    deploy: ship,
    async rollback(_failed, to, request) {
      // The failed deploy lives in the same service; rolling back to `to`'s deploy replaces it.
      const { body } = await call<RenderDeploy>(`/services/${to.data.serviceId}/rollback`, { method: 'POST', body: { deployId: to.data.deployId } });
      await rolledOut(to.data.serviceId!, body.id, request);
      return { ...to, data: { ...to.data, deployId: body.id } };
    },
    // A deployment is a deploy inside the project's service: superseding it frees nothing.
    destroy: async (ref) => {
      if (ref.resource.startsWith('preview-')) await deleteService(ref.data.serviceId!);
    },
    async list() {
      const { body } = await call<Array<{ service: RenderService }>>(`/services?${new URLSearchParams({ ownerId: settings.ownerId, limit: '100' })}`);
      return body.map((s) => s.service.name).filter((n) => n.startsWith('forge-preview-')).map((n) => n.slice('forge-'.length));
    },
    async remove(resource) {
      // Only a preview has a service of its own; a release is a deploy inside the project's service.
      if (!resource.startsWith('preview-')) return;
      const service = await findService(`forge-${resource}`);
      if (service) await deleteService(service.id);
    },
  };
}
