import { execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';

export const loopback = '127.0.0.1';

/** True when nothing listens on the port (binding 127.0.0.1 also fails when 0.0.0.0 is taken). */
export function isPortFree(port: number, host = loopback): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when something accepts TCP connections on the port. */
export function isPortAnswering(port: number, host = loopback): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** An ephemeral port that was free a moment ago (for throwaway servers in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** "pid 123 (python3)" for the process listening on a port, when the system lets us see it. */
export function describeListener(port: number): string {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    if (match) return `pid ${match[2]} (${match[1]})`;
  } catch {
    // ss is Linux-only; the generic wording below is still actionable
  }
  return 'another program';
}

/** The error every runner gives when a port it needs belongs to someone else. */
export function portTakenError(port: number, service: string, variable: string): Error {
  return new Error(`Port ${port} (${service}) is taken by ${describeListener(port)}. Stop that process, or pick another port with ${variable}=<port>.`);
}
