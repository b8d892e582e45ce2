import { randomUUID } from 'node:crypto';
import { sendJson, startFakeServer, type Fault, type FakeServer } from './fake-http';

/**
 * Answers as Railway's public GraphQL API (backboard.railway.com/graphql/v2) does for the
 * operations the railway provider sends, told apart by their root field. Like Railway, refusals
 * (a bad token, an unknown id) come back as HTTP 200 with `errors`; rate limits are HTTP 429.
 * A deployment moves BUILDING -> DEPLOYING -> SUCCESS (or `outcome`) one step per read.
 */
export interface FakeRailwayApi extends FakeServer {
  token: string;
  projectId: string;
  environmentId: string;
  services: Map<string, { id: string; name: string; image: string; domain: string | null }>;
  deployments: Map<string, { id: string; serviceId: string; image: string; status: string }>;
  operations: string[];
  outcome: string;
  fail: (operation: string, fault: Omit<Fault, 'times'> & { times?: number }) => void;
}

const steps: Record<string, string> = { BUILDING: 'DEPLOYING' };

export async function startFakeRailwayApi(token = `rw_${randomUUID()}`): Promise<FakeRailwayApi> {
  const faults: Array<{ prefix: string } & Fault> = [];
  const fake: Omit<FakeRailwayApi, keyof FakeServer> = {
    token,
    projectId: randomUUID(),
    environmentId: randomUUID(),
    services: new Map(),
    deployments: new Map(),
    operations: [],
    outcome: 'SUCCESS',
    fail: (operation, fault) => void faults.push({ prefix: operation, times: 1, ...fault }),
  };
  const gqlError = (message: string) => ({ data: null, errors: [{ message, locations: [], path: [] }] });

  const resolvers: Record<string, (v: Record<string, any>) => unknown> = {
    project: (v) => {
      if (v.id !== fake.projectId) throw new Error('Project not found');
      return { services: { edges: [...fake.services.values()].map((s) => ({ node: { id: s.id, name: s.name } })) } };
    },
    serviceCreate: ({ input }) => {
      if (input.projectId !== fake.projectId) throw new Error('Project not found');
      const service = { id: randomUUID(), name: input.name, image: input.source.image, domain: null };
      fake.services.set(service.id, service);
      return { id: service.id, name: service.name };
    },
    serviceDomainCreate: ({ input }) => {
      const service = fake.services.get(input.serviceId);
      if (!service) throw new Error('Service not found');
      service.domain = `${service.name}-production.up.railway.app`;
      return { domain: service.domain };
    },
    serviceInstanceUpdate: ({ serviceId, input }) => {
      const service = fake.services.get(serviceId);
      if (!service) throw new Error('Service not found');
      service.image = input.source.image;
      return true;
    },
    serviceInstanceDeployV2: ({ serviceId, environmentId }) => {
      const service = fake.services.get(serviceId);
      if (!service || environmentId !== fake.environmentId) throw new Error('Service instance not found');
      const deployment = { id: randomUUID(), serviceId, image: service.image, status: 'BUILDING' };
      fake.deployments.set(deployment.id, deployment);
      return deployment.id;
    },
    deployment: ({ id }) => {
      const deployment = fake.deployments.get(id);
      if (!deployment) throw new Error('Deployment not found');
      deployment.status = steps[deployment.status] ?? (deployment.status === 'DEPLOYING' ? fake.outcome : deployment.status);
      const service = fake.services.get(deployment.serviceId);
      return { id, status: deployment.status, staticUrl: service?.domain ?? null };
    },
    deploymentRollback: ({ id }) => {
      const deployment = fake.deployments.get(id);
      if (!deployment) throw new Error('Deployment not found');
      deployment.status = 'DEPLOYING';
      return true;
    },
    deploymentLogs: ({ deploymentId }) => [{ message: `Starting Container (${deploymentId})`, timestamp: new Date().toISOString(), severity: 'info' }],
    serviceDelete: ({ id }) => {
      if (!fake.services.delete(id)) throw new Error('Service not found');
      return true;
    },
  };

  const server = await startFakeServer((req, body, res) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://railway').pathname !== '/graphql/v2') return sendJson(res, 404, { message: 'Not Found' });
    const { query, variables } = JSON.parse(body.toString()) as { query: string; variables: Record<string, unknown> };
    const operation = Object.keys(resolvers).find((name) => new RegExp(`[{\\s]${name}\\s*\\(`).test(query));
    if (!operation) return sendJson(res, 400, gqlError('Cannot query field on type "Query"'));
    fake.operations.push(operation);
    const fault = faults.find((f) => f.prefix === operation && f.times > 0);
    if (fault) {
      fault.times -= 1;
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 200, gqlError('Not Authorized'));
    try {
      sendJson(res, 200, { data: { [operation]: resolvers[operation]!(variables) } });
    } catch (err) {
      sendJson(res, 200, gqlError((err as Error).message));
    }
  });
  return Object.assign(fake, server);
}
