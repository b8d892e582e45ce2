import type { z } from 'zod';
import type { ProviderRef, RailwaySecrets, RailwaySettings } from '../../domain/providers';
import type { ImagePublisher } from './docker-provider';
import type { Provider, ServeRequest } from './provider';
import { providerJson, providerRejected, waitUntil } from './provider-http';

type Settings = z.infer<typeof RailwaySettings>;
type Secrets = z.infer<typeof RailwaySecrets>;

interface RailwayDeployment {
  id: string;
  status: string;
  staticUrl: string | null;
}

const failedStatuses = new Set(['FAILED', 'CRASHED', 'REMOVED', 'SKIPPED']);
const serviceName = (request: Pick<ServeRequest, 'resource' | 'projectId'>) =>
  request.resource.startsWith('preview-') ? `forge-${request.resource}` : `forge-${request.projectId}`;

/**
 * Railway's public GraphQL API (backboard.railway.com/graphql/v2): image-sourced services in one
 * project and environment. GraphQL reports refusals as `errors` on a 200; those are final.
 */
export function createRailwayProvider(settings: Settings, secrets: Secrets, publisher: ImagePublisher, pollMs = 5_000): Provider {
  const { projectId, environmentId } = settings;

  async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const { body } = await providerJson<{ data?: T; errors?: Array<{ message: string }> }>('railway', settings.apiUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.apiToken}` },
      body: { query, variables },
    });
    if (body.errors?.length) throw providerRejected('railway', body.errors.map((e) => e.message).join('; ').slice(0, 300));
    if (!body.data) throw providerRejected('railway', 'the answer has no data');
    return body.data;
  }

  async function findService(name: string): Promise<{ id: string; name: string } | null> {
    const data = await gql<{ project: { services: { edges: Array<{ node: { id: string; name: string } }> } } }>(
      'query($id: String!) { project(id: $id) { services { edges { node { id name } } } } }',
      { id: projectId },
    );
    return data.project.services.edges.map((e) => e.node).find((s) => s.name === name) ?? null;
  }

  const deployment = async (id: string) =>
    (await gql<{ deployment: RailwayDeployment }>('query($id: String!) { deployment(id: $id) { id status staticUrl } }', { id })).deployment;

  async function succeeded(id: string, request: Pick<ServeRequest, 'onProgress' | 'signal'>): Promise<RailwayDeployment> {
    return waitUntil('railway deployment', async () => {
      const current = await deployment(id);
      if (failedStatuses.has(current.status)) throw providerRejected('railway', `deployment ${id} ended ${current.status}`);
      return current.status === 'SUCCESS' ? current : undefined;
    }, { intervalMs: pollMs, timeoutMs: 15 * 60_000, onProgress: request.onProgress, signal: request.signal });
  }

  async function ship(request: ServeRequest): Promise<ProviderRef> {
    const image = await publisher.publish(request.artifactDir, `${settings.imageRepository}:${request.resource}`, request.onLine);
    const name = serviceName(request);
    let service = await findService(name);
    if (!service) {
      service = (await gql<{ serviceCreate: { id: string; name: string } }>(
        'mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { id name } }',
        { input: { projectId, name, source: { image } } },
      )).serviceCreate;
      await gql('mutation($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { domain } }', { input: { serviceId: service.id, environmentId } });
    } else {
      await gql('mutation($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input) }', {
        serviceId: service.id, environmentId, input: { source: { image } },
      });
    }
    const { serviceInstanceDeployV2: deploymentId } = await gql<{ serviceInstanceDeployV2: string }>(
      'mutation($serviceId: String!, $environmentId: String!) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }',
      { serviceId: service.id, environmentId },
    );
    request.onLine?.(`railway: deployment ${deploymentId} of ${name}`);
    const done = await succeeded(deploymentId, request);
    if (!done.staticUrl) throw providerRejected('railway', `service ${name} has no domain`);
    return { provider: 'railway', resource: request.resource, url: `https://${done.staticUrl}/`, data: { serviceId: service.id, deploymentId } };
  }

  const deleteService = async (id: string) => void (await gql('mutation($id: String!) { serviceDelete(id: $id) }', { id }));

  return {
    name: 'railway',
    start: ship,
    stop: (ref) => deleteService(ref.data.serviceId!),
    async status(ref) {
      const current = await deployment(ref.data.deploymentId!);
      return current.status === 'SUCCESS' ? 'running' : failedStatuses.has(current.status) ? 'failed' : 'starting';
    },
    async logs(ref, limit) {
      const data = await gql<{ deploymentLogs: Array<{ message: string }> }>(
        'query($deploymentId: String!, $limit: Int) { deploymentLogs(deploymentId: $deploymentId, limit: $limit) { message } }',
        { deploymentId: ref.data.deploymentId, limit },
      );
      return data.deploymentLogs.map((l) => l.message);
    },
    deploy: ship,
    async rollback(_failed, to, request) {
      await gql('mutation($id: String!) { deploymentRollback(id: $id) }', { id: to.data.deploymentId });
      await succeeded(to.data.deploymentId!, request);
      return to;
    },
    destroy: async (ref) => {
      if (ref.resource.startsWith('preview-')) await deleteService(ref.data.serviceId!);
    },
    async list() {
      const data = await gql<{ project: { services: { edges: Array<{ node: { name: string } }> } } }>(
        'query($id: String!) { project(id: $id) { services { edges { node { name } } } } }',
        { id: projectId },
      );
      return data.project.services.edges.map((e) => e.node.name).filter((n) => n.startsWith('forge-preview-')).map((n) => n.slice('forge-'.length));
    },
    async remove(resource) {
      // Only a preview has a service of its own; a release is a deploy inside the project's service.
      if (!resource.startsWith('preview-')) return;
      const service = await findService(`forge-${resource}`);
      if (service) await deleteService(service.id);
    },
  };
}
