import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Connections whose answer was cut before it reached the client. */
  cut: number;
  close: () => Promise<void>;
}

/**
 * A loopback TCP proxy in front of an HTTP server that forwards the first `cuts` requests whole and
 * then destroys the client's socket as the answer starts: the server did the work, the client
 * never hears of it. Later connections pass through untouched.
 */
export async function cuttingProxy(target: URL, cuts = 1): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { url: '', cut: 0, close: async () => {} };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const cutThis = proxy.cut < cuts;
    if (cutThis) proxy.cut++;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    if (cutThis) {
      upstream.once('data', () => {
        client.destroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
