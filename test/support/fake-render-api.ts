import { randomUUID } from 'node:crypto';
import { sendJson, startFakeServer, type Fault, type FakeServer } from './fake-http';

/**
 * Answers as Render's public REST API (https://api.render.com/v1) is documented for the calls the
 * render provider makes: list/create/delete services, trigger and read deploys, roll back, read
 * logs. Errors are Render's `{ id, message }` with 400/401/404/429 (with Ratelimit-Reset) and 5xx.
 * A deploy moves `created` -> `build_in_progress` -> `live` (or `outcome`) one step per read.
 */
export interface FakeRenderApi extends FakeServer {
  apiKey: string;
  services: Map<string, { id: string; name: string; ownerId: string; imagePath: string; url: string }>;
  deploys: Map<string, { id: string; serviceId: string; imageUrl: string; status: string; reads: number }>;
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  /** Where the next deploys end: `live`, or a failure status such as `update_failed`. */
  outcome: string;
  fail: (prefix: string, fault: Omit<Fault, 'times'> & { times?: number }) => void;
}

const error = (message: string) => ({ id: randomUUID(), message });

export async function startFakeRenderApi(apiKey = `rnd_${randomUUID()}`): Promise<FakeRenderApi> {
  const faults: Array<{ prefix: string } & Fault> = [];
  const fake: Omit<FakeRenderApi, keyof FakeServer> = { apiKey, services: new Map(), deploys: new Map(), requests: [], outcome: 'live', fail: (prefix, fault) => void faults.push({ prefix, times: 1, ...fault }) };

  const newDeploy = (serviceId: string, imageUrl: string) => {
    const deploy = { id: `dep-${randomUUID()}`, serviceId, imageUrl, status: 'created', reads: 0 };
    fake.deploys.set(deploy.id, deploy);
    return deploy;
  };
  const deployDto = (d: { id: string; status: string; imageUrl: string }) => ({ id: d.id, status: d.status, image: { ref: d.imageUrl }, createdAt: new Date().toISOString() });

  const server = await startFakeServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://render');
    const path = url.pathname.replace(/^\/v1/, '');
    fake.requests.push({ method: req.method!, path, authorization: req.headers.authorization });
    const fault = faults.find((f) => `${req.method} ${path}`.startsWith(f.prefix) && f.times > 0);
    if (fault) {
      fault.times -= 1;
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJson(res, 401, error('unauthorized'));
    const input = body.length ? (JSON.parse(body.toString()) as Record<string, any>) : {};
    let match: RegExpExecArray | null;

    if (req.method === 'GET' && path === '/services') {
      const name = url.searchParams.get('name');
      const ownerId = url.searchParams.get('ownerId');
      const list = [...fake.services.values()].filter((s) => (!name || s.name === name) && (!ownerId || s.ownerId === ownerId));
      return sendJson(res, 200, list.slice(0, Number(url.searchParams.get('limit') ?? 20)).map((s) => ({ service: { id: s.id, name: s.name, ownerId: s.ownerId, type: 'web_service', serviceDetails: { url: s.url } }, cursor: s.id })));
    }
    if (req.method === 'POST' && path === '/services') {
      if (input.type !== 'web_service' || !input.name || !input.ownerId || !input.image?.imagePath) return sendJson(res, 400, error('invalid service: type, name, ownerId and image.imagePath are required'));
      if ([...fake.services.values()].some((s) => s.name === input.name)) return sendJson(res, 409, error(`a service named ${input.name} already exists`));
      const service = { id: `srv-${randomUUID()}`, name: input.name, ownerId: input.ownerId, imagePath: input.image.imagePath, url: `https://${input.name}.onrender.com` };
      fake.services.set(service.id, service);
      const deploy = newDeploy(service.id, service.imagePath);
      return sendJson(res, 201, { service: { id: service.id, name: service.name, ownerId: service.ownerId, type: 'web_service', serviceDetails: { url: service.url } }, deployId: deploy.id });
    }
    if ((match = /^\/services\/([^/]+)(?:\/(deploys|rollback))?(?:\/([^/]+))?$/.exec(path))) {
      const service = fake.services.get(match[1]!);
      if (!service) return sendJson(res, 404, error('service not found'));
      const [, , sub, deployId] = match;
      if (req.method === 'DELETE' && !sub) {
        fake.services.delete(service.id);
        return sendJson(res, 204, undefined);
      }
      if (req.method === 'POST' && sub === 'deploys' && !deployId) return sendJson(res, 201, deployDto(newDeploy(service.id, input.imageUrl ?? service.imagePath)));
      if (req.method === 'GET' && sub === 'deploys' && deployId) {
        const deploy = fake.deploys.get(deployId);
        if (!deploy || deploy.serviceId !== service.id) return sendJson(res, 404, error('deploy not found'));
        deploy.reads += 1;
        deploy.status = deploy.reads === 1 ? 'build_in_progress' : deploy.status === 'build_in_progress' ? fake.outcome : deploy.status;
        return sendJson(res, 200, deployDto(deploy));
      }
      if (req.method === 'POST' && sub === 'rollback') {
        const target = fake.deploys.get(input.deployId);
        if (!target || target.serviceId !== service.id) return sendJson(res, 404, error('deploy not found'));
        return sendJson(res, 201, deployDto(newDeploy(service.id, target.imageUrl)));
      }
    }
    if (req.method === 'GET' && path === '/logs') {
      const service = fake.services.get(url.searchParams.get('resource') ?? '');
      if (!service) return sendJson(res, 404, error('resource not found'));
      return sendJson(res, 200, { hasMore: false, logs: [{ id: randomUUID(), timestamp: new Date().toISOString(), message: `==> Your service ${service.name} is live`, labels: [] }] });
    }
    sendJson(res, 404, error(`not found: ${req.method} ${path}`));
  });
  return Object.assign(fake, server);
}
