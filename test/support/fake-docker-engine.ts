import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { sendJson, startFakeServer, type Fault, type FakeServer } from './fake-http';

/**
 * Answers as the Docker Engine API (v1.43) does for the calls the docker provider makes: build
 * from a tar context, push, create/start/inspect/stop/remove containers, logs, list, remove
 * images, with the Engine's status codes and `{ message }` errors. A started container really
 * serves: the image's `dist/` on a port of its own, so health checks run against it.
 */
export interface FakeDockerEngine extends FakeServer {
  images: Map<string, { files: Map<string, Buffer>; labels: Record<string, string> }>;
  containers: Map<string, FakeContainer>;
  pushes: Array<{ name: string; tag: string; registryAuth: string | undefined }>;
  /** The next `times` requests whose `METHOD path` starts with `prefix` get this answer. */
  fail: (prefix: string, fault: Omit<Fault, 'times'> & { times?: number }) => void;
}

export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  hostConfig: Record<string, unknown>;
  running: boolean;
  port: number | null;
  server: Server | null;
}

function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const text = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const name = [text(345, 155), text(0, 100)].filter(Boolean).join('/');
    const size = parseInt(text(124, 12).trim(), 8);
    files.set(name, archive.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const contentTypes: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** What nginx with the generated config does: files as they are, the app shell for extensionless paths. */
function serveDist(files: Map<string, Buffer>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = files.get(`dist${path === '/' ? '/index.html' : path}`) ?? (extname(path) === '' ? files.get('dist/index.html') : undefined);
    if (!file) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': contentTypes[extname(path)] ?? 'text/html' }).end(file);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

export async function startFakeDockerEngine(): Promise<FakeDockerEngine> {
  const images: FakeDockerEngine['images'] = new Map();
  const containers: FakeDockerEngine['containers'] = new Map();
  const pushes: FakeDockerEngine['pushes'] = [];
  const faults: Array<{ prefix: string } & Fault> = [];
  const find = (ref: string) => containers.get(ref) ?? [...containers.values()].find((c) => c.name === ref);
  const stop = (c: FakeContainer) => {
    c.server?.closeAllConnections();
    c.server?.close();
    Object.assign(c, { running: false, server: null });
  };

  const fake = await startFakeServer(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v1\.\d+/, '');
    const fault = faults.find((f) => `${req.method} ${path}`.startsWith(f.prefix) && f.times > 0);
    if (fault) {
      fault.times -= 1;
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    const stream = (lines: object[]) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    };
    let match: RegExpExecArray | null;

    if (req.method === 'GET' && path === '/_ping') return void res.writeHead(200).end('OK');
    if (req.method === 'POST' && path === '/build') {
      const files = untar(body);
      const tag = url.searchParams.get('t')!;
      if (!files.has('Dockerfile')) return stream([{ errorDetail: { message: 'Cannot locate specified Dockerfile: Dockerfile' }, error: 'Cannot locate specified Dockerfile: Dockerfile' }]);
      images.set(tag, { files, labels: JSON.parse(url.searchParams.get('labels') ?? '{}') });
      const id = createHash('sha256').update(body).digest('hex');
      return stream([{ stream: 'Step 1/4 : FROM nginxinc/nginx-unprivileged:1.27-alpine\n' }, { aux: { ID: `sha256:${id}` } }, { stream: `Successfully tagged ${tag}\n` }]);
    }
    if (req.method === 'POST' && (match = /^\/images\/(.+)\/push$/.exec(path))) {
      const name = decodeURIComponent(match[1]!);
      const tag = url.searchParams.get('tag') ?? 'latest';
      if (!images.has(`${name}:${tag}`)) return sendJson(res, 404, { message: `No such image: ${name}:${tag}` });
      pushes.push({ name, tag, registryAuth: req.headers['x-registry-auth'] as string | undefined });
      return stream([{ status: `The push refers to repository [${name}]` }, { status: `${tag}: digest: sha256:0 size: 1` }]);
    }
    if (req.method === 'POST' && path === '/containers/create') {
      const name = url.searchParams.get('name')!;
      const spec = JSON.parse(body.toString()) as { Image: string; Labels: Record<string, string>; HostConfig: Record<string, unknown> };
      if (find(name)) return sendJson(res, 409, { message: `Conflict. The container name "/${name}" is already in use` });
      if (!images.has(spec.Image)) return sendJson(res, 404, { message: `No such image: ${spec.Image}` });
      const id = createHash('sha256').update(name + Date.now()).digest('hex');
      containers.set(id, { id, name, image: spec.Image, labels: spec.Labels, hostConfig: spec.HostConfig, running: false, port: null, server: null });
      return sendJson(res, 201, { Id: id, Warnings: [] });
    }
    if (req.method === 'GET' && path === '/containers/json') {
      const wanted: string[] = JSON.parse(url.searchParams.get('filters') ?? '{}').label ?? [];
      const list = [...containers.values()].filter((c) => wanted.every((l) => { const [k, v] = l.split('='); return c.labels[k!] === v; }));
      return sendJson(res, 200, list.map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: c.image, Labels: c.labels, State: c.running ? 'running' : 'exited' })));
    }
    if ((match = /^\/containers\/([^/]+)(?:\/(start|stop|json|logs))?$/.exec(path))) {
      const container = find(decodeURIComponent(match[1]!));
      if (!container) return sendJson(res, 404, { message: `No such container: ${match[1]}` });
      const action = match[2];
      if (req.method === 'POST' && action === 'start') {
        if (container.running) return sendJson(res, 304, undefined);
        const { server, port } = await serveDist(images.get(container.image)!.files);
        Object.assign(container, { running: true, server, port });
        return sendJson(res, 204, undefined);
      }
      if (req.method === 'POST' && action === 'stop') {
        if (!container.running) return sendJson(res, 304, undefined);
        stop(container);
        return sendJson(res, 204, undefined);
      }
      if (req.method === 'GET' && action === 'json') {
        const ports = { '8080/tcp': container.port ? [{ HostIp: '127.0.0.1', HostPort: String(container.port) }] : null };
        return sendJson(res, 200, { Id: container.id, Name: `/${container.name}`, State: { Running: container.running, Status: container.running ? 'running' : 'created' }, NetworkSettings: { Ports: ports }, HostConfig: container.hostConfig });
      }
      if (req.method === 'GET' && action === 'logs') {
        const frames = ['nginx: start worker processes\n', 'GET / 200\n'].map((line) => {
          const header = Buffer.alloc(8);
          header[0] = 1;
          header.writeUInt32BE(Buffer.byteLength(line), 4);
          return Buffer.concat([header, Buffer.from(line)]);
        });
        return void res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' }).end(Buffer.concat(frames));
      }
      if (req.method === 'DELETE' && !action) {
        if (container.running && url.searchParams.get('force') !== '1') return sendJson(res, 409, { message: 'You cannot remove a running container. Stop the container before attempting removal or force remove' });
        stop(container);
        containers.delete(container.id);
        return sendJson(res, 204, undefined);
      }
    }
    if (req.method === 'DELETE' && (match = /^\/images\/(.+)$/.exec(path))) {
      const name = decodeURIComponent(match[1]!);
      if (!images.delete(name)) return sendJson(res, 404, { message: `No such image: ${name}` });
      return sendJson(res, 200, [{ Untagged: name }]);
    }
    sendJson(res, 404, { message: `page not found: ${req.method} ${path}` });
  });

  return {
    ...fake,
    images,
    containers,
    pushes,
    fail: (prefix, fault) => faults.push({ prefix, times: 1, ...fault }),
    close: async () => {
      for (const c of containers.values()) stop(c);
      await fake.close();
    },
  };
}
