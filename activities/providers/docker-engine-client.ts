import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { defaultOutboundPolicy, guardedLookup, urlRefusal, type OutboundPolicy } from './outbound-guard';
import { providerRejected, providerUnavailable } from './provider-http';

const API = '/v1.43';
const PROVIDER = 'docker';

export interface EngineResponse {
  status: number;
  body: Buffer;
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
}

/**
 * The calls of the Docker Engine API the docker provider uses, over a unix socket or TCP. (The
 * brief named dockerode; it is not installed, and these few calls over node:http need no
 * dependency.) Errors are classified like every provider's: 4xx rejected, 5xx/unreachable retried.
 */
export class DockerEngine {
  private readonly target: Pick<RequestOptions, 'socketPath' | 'host' | 'port' | 'lookup'>;
  private readonly send: typeof httpRequest;
  /** Set when the outbound guard refuses the host: every call fails before connecting. */
  private readonly refusal: string | undefined;

  /** `host` is tenant-chosen unless the operator configured it: the outbound guard judges it either way. */
  constructor(host: string, policy: OutboundPolicy = defaultOutboundPolicy()) {
    this.refusal = urlRefusal(host, policy);
    this.send = host.startsWith('https:') ? (httpsRequest as typeof httpRequest) : httpRequest;
    if (host.startsWith('unix://')) this.target = { socketPath: host.slice('unix://'.length) };
    else {
      const url = new URL(host);
      this.target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375), lookup: guardedLookup(policy) as RequestOptions['lookup'] };
    }
  }

  request(method: string, path: string, options: { body?: Buffer | object; headers?: Record<string, string>; onData?: (chunk: Buffer) => void; accept?: number[] } = {}): Promise<EngineResponse> {
    const raw = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(JSON.stringify(options.body));
    const headers = { ...(raw && !Buffer.isBuffer(options.body) ? { 'content-type': 'application/json' } : {}), ...options.headers };
    if (this.refusal) return Promise.reject(providerRejected(PROVIDER, `the Engine API address is refused: ${this.refusal}`));
    return new Promise((resolve, reject) => {
      const req = this.send({ ...this.target, method, path: API + path, headers, timeout: 600_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          options.onData?.(chunk);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if ((status >= 200 && status < 300) || options.accept?.includes(status)) return resolve({ status, body });
          const message = `${method} ${path}: HTTP ${status}: ${engineMessage(body)}`;
          reject(status >= 500 ? providerUnavailable(PROVIDER, message) : providerRejected(PROVIDER, message));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(providerUnavailable(PROVIDER, `the Engine API is unreachable: ${err.message}`)));
      req.end(raw);
    });
  }

  async json<T>(method: string, path: string, body?: object, accept?: number[]): Promise<{ status: number; body: T }> {
    const response = await this.request(method, path, { body, accept });
    return { status: response.status, body: (response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined) as T };
  }

  /**
   * A streaming call (build, push) answers 200 and reports progress and failure as JSON lines;
   * an `error` line is a failure of the build itself, not of the API.
   */
  async stream(path: string, body: Buffer | undefined, headers: Record<string, string>, onLine: (line: string) => void): Promise<void> {
    let buffered = '';
    let failure: string | undefined;
    const onItem = (line: string) => {
      const item = JSON.parse(line) as { stream?: string; status?: string; error?: string };
      if (item.error) failure ??= item.error;
      const text = (item.stream ?? item.status ?? item.error ?? '').trimEnd();
      if (text) onLine(text);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim())) onItem(line);
    };
    await this.request('POST', path, { body, headers, onData });
    if (buffered.trim()) onItem(buffered);
    if (failure) throw providerRejected(PROVIDER, failure);
  }
}

function engineMessage(body: Buffer): string {
  try {
    return String((JSON.parse(body.toString('utf8')) as { message?: unknown }).message ?? '').slice(0, 300);
  } catch {
    return body.toString('utf8').slice(0, 300);
  }
}

/** Container logs without a TTY are multiplexed: frames of [stream, 0, 0, 0, size (uint32 BE)] + payload. */
export function demuxLogs(body: Buffer): string[] {
  const parts: string[] = [];
  for (let at = 0; at + 8 <= body.length; ) {
    const size = body.readUInt32BE(at + 4);
    parts.push(body.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return parts.join('').split('\n').filter(Boolean);
}
