import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZodError } from 'zod';
import { createChatHandler } from './chat-handler';
import { sendError, sendJson } from './openai-error';
import { ScriptQueue, type RequestSummary, type ScriptStep } from './script-queue';

/**
 * The offline model server: an OpenAI-compatible HTTP endpoint (GET /v1/models, POST
 * /v1/chat/completions) backed by the rule-based model, so Forge runs the same client code with
 * no network. With `control`, tests script faults over HTTP under /_control as well.
 */

export interface ModelServerOptions {
  port?: number;
  host?: string;
  /** Fixed delay before every answer (benchmarks). */
  latencyMs?: number;
  /** Delay between streamed tokens. */
  tokenDelayMs?: number;
  /** Serve the /_control API (scripted faults, request log). */
  control?: boolean;
  models?: string[];
}

export interface ModelServer {
  /** Base URL for the openai package, ending in /v1. */
  url: string;
  port: number;
  script(...steps: ScriptStep[]): void;
  requests(): RequestSummary;
  reset(): void;
  close(): Promise<void>;
}

export const OFFLINE_MODEL = 'forge-offline';

/** Request bodies carry whole apps; far above that is a mistake, not a prompt. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: 'The request body is too large.' };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: text ? JSON.parse(text) : {} };
  } catch {
    return { ok: false, status: 400, message: 'We could not parse the JSON body of your request.' };
  }
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const models = options.models ?? [OFFLINE_MODEL];
  const queue = new ScriptQueue();
  const handleChat = createChatHandler({ models, latencyMs: options.latencyMs ?? 0, tokenDelayMs: options.tokenDelayMs ?? 0, queue });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const key = `${req.method} ${path}`;
    if (key === 'GET /health') return sendJson(res, 200, { ok: true });
    if (key === 'GET /v1/models') {
      if (!/^Bearer\s+\S+/.test(req.headers.authorization ?? '')) {
        return sendError(res, 401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' });
      }
      return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'forge' })) });
    }
    const body = req.method === 'POST' ? await readJson(req) : { ok: true as const, value: undefined };
    if (!body.ok) return sendError(res, body.status, { message: body.message, type: 'invalid_request_error', code: null });
    if (key === 'POST /v1/chat/completions') return handleChat(req, res, body.value);
    if (options.control && key === 'POST /_control/script') {
      queue.push(...(Array.isArray(body.value) ? body.value : [body.value]));
      return void res.writeHead(204).end();
    }
    if (options.control && key === 'GET /_control/requests') return sendJson(res, 200, queue.summary());
    if (options.control && key === 'POST /_control/reset') {
      queue.reset();
      return void res.writeHead(204).end();
    }
    sendError(res, 404, { message: `Unknown route ${key}`, type: 'invalid_request_error', code: 'unknown_url' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // A bad control script is the caller's mistake; anything else is a bug in this server.
      const invalid = err instanceof ZodError;
      if (!res.headersSent) sendError(res, invalid ? 400 : 500, { message: String(err), type: invalid ? 'invalid_request_error' : 'server_error', code: null });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    script: (...steps) => queue.push(...steps),
    requests: () => queue.summary(),
    reset: () => queue.reset(),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging (scripted) requests and keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
      }),
  };
}
