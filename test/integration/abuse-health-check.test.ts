import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAppHealth } from '../../activities/builds/health-check';

// Tenant pages served from loopback, checked the way the builder checks a delivery.
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections(), s.close();
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** 300,000 tags, among them the open `<a ` runs that made the old regexes quadratic, and 300,000 script references. */
const hostilePage = () =>
  `<!doctype html><html><body>${'<a '.repeat(100_000)}${'<div><span>'.repeat(50_000)}${Array.from({ length: 100_000 }, (_, i) => `<script src="/s${i}.js">`).join('')}</body></html>`;

describe('the health check on hostile pages', () => {
  it('parses a 300,000-tag page within its cap while the event loop keeps answering', async () => {
    const page = hostilePage();
    let assetRequests = 0;
    const url = await serve((req, res) => {
      if (req.url === '/') return res.end(page);
      assetRequests++;
      res.end('console.log(1)');
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const report = await checkAppHealth(url, { rootElementId: 'root', totalTimeoutMs: 20_000 });
    delay.disable();
    expect(report.ok).toBe(false);
    expect(report.problems).toContain('The page has no element with id "root" for the app to mount into: a blank page');
    // Parsing yields between slices: the loop keeps turning (the old regexes held it for 9-21 s on
    // 120 KB). Bounds loose enough for a loaded 2-core machine, far below any heartbeat timeout.
    console.log(`event-loop delay during the check: p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(delay.percentile(99) / 1e6).toBeLessThan(500);
    expect(delay.max / 1e6).toBeLessThan(1_000);
    // 100,000 scripts named, a bounded number fetched.
    expect(assetRequests).toBeLessThanOrEqual(32);
  });

  it('reads at most the body cap of an endless page and ends', async () => {
    let sent = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) sent += chunk.length;
        sent += chunk.length;
        if (sent < 256 * 1024 * 1024) res.once('drain', pump);
      };
      pump();
    });
    const report = await checkAppHealth(url, { rootElementId: 'root', maxBodyBytes: 1024 * 1024 });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/over 1048576 bytes/);
    // The server got nowhere near its 256 MiB before the check hung up.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('gives up at its overall cap on a page that trickles forever', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('<p>'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const report = await checkAppHealth(url, { rootElementId: 'root', totalTimeoutMs: 1_500, requestTimeoutMs: 60_000 });
    expect(report).toEqual({ ok: false, problems: [expect.stringMatching(/did not finish within 1500 ms/)] });
  });

  it('follows no redirect and fetches no asset of another origin', async () => {
    let elsewhere = 0;
    const other = await serve((_req, res) => { elsewhere++; res.end('x'); });
    const redirecting = await serve((_req, res) => { res.writeHead(302, { location: other }); res.end(); });
    expect((await checkAppHealth(redirecting, { rootElementId: 'root' })).problems).toEqual([`GET ${redirecting} answered 302, not 200`]);
    const page = await serve((req, res) => {
      if (req.url === '/') return res.end(`<div id="root"></div><script src="/main.js"></script><script src="${other}steal.js"></script>`);
      res.end('console.log(1)');
    });
    expect(await checkAppHealth(page, { rootElementId: 'root' })).toEqual({ ok: true, problems: [] });
    expect(elsewhere).toBe(0);
  });
});
