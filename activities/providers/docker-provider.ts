import type { z } from 'zod';
import type { DockerSecrets, DockerSettings, ProviderRef } from '../../domain/providers';
import { demuxLogs, DockerEngine, type ContainerSummary } from './docker-engine-client';
import { APP_PORT, generatedDockerfile, generatedNginxConf } from './dockerfile';
import type { Provider, ServeRequest } from './provider';
import { directoryEntries, tarArchive } from './tar-archive';

type Settings = z.infer<typeof DockerSettings>;
type Secrets = z.infer<typeof DockerSecrets>;

const MANAGED = 'forge.managed';
const RESOURCE = 'forge.resource';
const containerName = (resource: string) => `forge-${resource}`;
const imageTag = (resource: string) => `forge-app:${resource}`;
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

interface Inspect {
  Id: string;
  State: { Running: boolean; Status: string };
  NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
}

/** Builds images from a generated Dockerfile and pushes them: also what render and railway deploy. */
export interface ImagePublisher {
  publish(artifactDir: string, image: string, onLine?: (line: string) => void): Promise<string>;
}

/**
 * The docker provider, on the Docker Engine API: an image per build (the app on unprivileged
 * nginx), a container per preview or deployment with memory, CPU and pid limits, no capabilities,
 * a read-only root filesystem, its port published on the configured host only.
 */
export function createDockerProvider(settings: Settings, secrets: Secrets, engine = new DockerEngine(settings.host)): Provider & ImagePublisher {
  async function buildImage(artifactDir: string, tag: string, onLine: (line: string) => void = () => {}) {
    const context = tarArchive([
      { name: 'Dockerfile', content: Buffer.from(generatedDockerfile) },
      { name: 'nginx.conf', content: Buffer.from(generatedNginxConf) },
      ...(await directoryEntries(artifactDir, 'dist')),
    ]);
    await engine.stream(`/build?${q({ t: tag, rm: '1', forcerm: '1', labels: JSON.stringify({ [MANAGED]: 'true' }) })}`, context, { 'content-type': 'application/x-tar' }, onLine);
  }

  async function inspect(resource: string): Promise<Inspect | null> {
    const { status, body } = await engine.json<Inspect>('GET', `/containers/${containerName(resource)}/json`, undefined, [404]);
    return status === 404 ? null : body;
  }

  function toRef(resource: string, info: Inspect): ProviderRef {
    const port = info.NetworkSettings.Ports[`${APP_PORT}/tcp`]?.[0]?.HostPort;
    if (!port) throw new Error(`Container ${containerName(resource)} has no published port`);
    return { provider: 'docker', resource, url: `http://${settings.publicHost}:${port}/`, data: { containerId: info.Id, image: imageTag(resource) } };
  }

  /** Creates and starts the resource's container; a retry finds it (409 on create, 304 on start). */
  async function run(resource: string): Promise<ProviderRef> {
    const created = await engine.json<{ Id: string }>('POST', `/containers/create?${q({ name: containerName(resource) })}`, {
      Image: imageTag(resource),
      Labels: { [MANAGED]: 'true', [RESOURCE]: resource },
      ExposedPorts: { [`${APP_PORT}/tcp`]: {} },
      HostConfig: {
        Memory: settings.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(settings.cpus * 1e9),
        PidsLimit: 256,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,size=16m' },
        // Loopback only unless previews are meant to be reached from elsewhere.
        PortBindings: { [`${APP_PORT}/tcp`]: [{ HostIp: settings.publicHost === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', HostPort: '' }] },
        RestartPolicy: { Name: 'unless-stopped' },
      },
    }, [409]);
    const id = created.status === 409 ? containerName(resource) : created.body.Id;
    await engine.request('POST', `/containers/${id}/start`, { accept: [304] });
    const info = await inspect(resource);
    if (!info) throw new Error(`Container ${containerName(resource)} vanished after start`);
    return toRef(resource, info);
  }

  async function serve(request: ServeRequest): Promise<ProviderRef> {
    const existing = await inspect(request.resource);
    if (existing?.State.Running) return toRef(request.resource, existing);
    if (!existing) await buildImage(request.artifactDir, imageTag(request.resource), request.onLine);
    return run(request.resource);
  }

  async function remove(resource: string): Promise<void> {
    await engine.request('DELETE', `/containers/${containerName(resource)}?force=1`, { accept: [404] });
    await engine.request('DELETE', `/images/${encodeURIComponent(imageTag(resource))}?force=1`, { accept: [404] });
  }

  return {
    name: 'docker',
    start: serve,
    stop: (ref) => remove(ref.resource),
    async status(ref) {
      const info = await inspect(ref.resource);
      if (!info) return 'missing';
      return info.State.Running ? 'running' : info.State.Status === 'created' ? 'starting' : 'stopped';
    },
    async logs(ref, limit) {
      const { body } = await engine.request('GET', `/containers/${containerName(ref.resource)}/logs?${q({ stdout: '1', stderr: '1', tail: String(limit) })}`, { accept: [404] });
      return demuxLogs(body).slice(-limit);
    },
    deploy: serve,
    async rollback(failed, to) {
      if (failed) await remove(failed.resource);
      return run(to.resource);
    },
    destroy: (ref) => remove(ref.resource),
    async list() {
      const filters = JSON.stringify({ label: [`${MANAGED}=true`] });
      const { body } = await engine.json<ContainerSummary[]>('GET', `/containers/json?${q({ all: '1', filters })}`);
      return body.map((c) => c.Labels[RESOURCE]).filter((r): r is string => Boolean(r));
    },
    remove,

    async publish(artifactDir, image, onLine) {
      await buildImage(artifactDir, image, onLine);
      const at = image.lastIndexOf(':');
      const [name, tag] = at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
      // X-Registry-Auth is required even when empty; the secret is already that header's base64 value.
      await engine.stream(`/images/${encodeURIComponent(name)}/push?${q({ tag })}`, undefined, { 'x-registry-auth': secrets.registryAuth ?? 'e30=' }, onLine ?? (() => {}));
      return image;
    },
  };
}
