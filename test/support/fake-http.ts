import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server for a fake third-party API; `handle` answers every request. */
export interface FakeServer {
  url: string;
  server: Server;
  close: () => Promise<void>;
}

export async function startFakeServer(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>): Promise<FakeServer> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      await handle(req, Buffer.concat(chunks), res);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { message: `fake server error: ${(err as Error).message}` });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A scripted failure for the next matching requests: how tests reach a provider's error replies. */
export interface Fault {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  times: number;
}
