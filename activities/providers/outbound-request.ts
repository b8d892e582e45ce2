import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { defaultOutboundPolicy, guardedLookup, urlRefusal, type OutboundPolicy } from './outbound-guard';

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** True when the body was cut at `maxBytes`. */
  truncated: boolean;
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Bytes of the answer kept; the rest is never read (the connection is dropped). */
  maxBytes?: number;
  signal?: AbortSignal;
  policy?: OutboundPolicy;
}

/** Raised before any byte leaves: the URL or its resolved address is not allowed. */
export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

/**
 * One HTTP exchange with a tenant-chosen address: checked by the outbound guard (the URL now, the
 * resolved address at connect time), never following a redirect (a 3xx is just an answer), with
 * a cap on the body and on the whole exchange.
 */
export function outboundRequest(url: string, options: OutboundRequest = {}): Promise<OutboundResponse> {
  const policy = options.policy ?? defaultOutboundPolicy();
  const refusal = urlRefusal(url, policy);
  if (refusal) return Promise.reject(new OutboundRefused(`Outbound call to ${url} refused: ${refusal}`));
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: options.method ?? 'GET',
      headers: options.headers,
      lookup: guardedLookup(policy) as never,
      signal: options.signal,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (truncated: boolean) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated });
      };
      res.on('data', (chunk: Buffer) => {
        const room = maxBytes - size;
        chunks.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
        size += Math.min(room, chunk.length);
        if (size >= maxBytes) {
          req.destroy();
          done(true);
        }
      });
      res.on('end', () => done(false));
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'EOUTBOUNDREFUSED' ? new OutboundRefused(err.message) : err);
    });
    req.end(options.body);
  });
}
