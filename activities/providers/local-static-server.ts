// The local provider's server: serves one built app (a `dist/`) on 127.0.0.1 and an ephemeral
// port. It runs as its own process, confined like a build (activities/builds/sandbox-policy.ts),
// by Node's type stripping: standalone, node: imports only, erasable syntax only.
// Usage: node local-static-server.ts <root> <resource> [port]
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const [root, resource, wantedPort] = process.argv.slice(2);
if (!root || !resource) {
  console.error('usage: local-static-server <root> <resource>');
  process.exit(2);
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

async function resolveFile(pathname: string): Promise<string | null> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  const file = join(root!, relative);
  if (file !== root && !file.startsWith(root! + sep)) return null;
  const info = await stat(file).catch(() => null);
  if (info?.isFile()) return file;
  if (info?.isDirectory()) return (await stat(join(file, 'index.html')).catch(() => null))?.isFile() ? join(file, 'index.html') : null;
  // Client-side routes (no extension) get the app shell; a missing asset stays a 404.
  return extname(relative) === '' ? join(root!, 'index.html') : null;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const file = req.method === 'GET' || req.method === 'HEAD' ? await resolveFile(url.pathname).catch(() => null) : null;
  console.log(`${req.method} ${url.pathname} ${file ? 200 : 404}`);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const immutable = url.pathname.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`forge-static-server ${resource} listening on ${port}`);
});
// A restarted server asks for the port its URL names; when another program took it, any port
// does (the restarter records the new URL).
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE' || !Number(wantedPort)) throw error;
  server.listen(0, '127.0.0.1');
});
server.listen(Number(wantedPort ?? 0) || 0, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
