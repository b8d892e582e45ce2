import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './paths';
import { isAlive, stopProcessGroup, type Service } from './service-process';

// Test runs share the stack's servers. Each run holds a lease while it runs; a server that a test
// run had to start is stopped by the last run to finish, so two overlapping runs never pull a
// server from under each other. A server a developer started (`npm start`, `npm run db`, by hand)
// carries no mark and is never stopped by tests.
const leaseDir = (service: string) => join(dataDir, 'test-leases', service);

/** Call before ensuring the service, so a run finishing meanwhile sees this one waiting. */
export function holdLease(service: string): void {
  mkdirSync(join(leaseDir(service), 'holders'), { recursive: true });
  writeFileSync(join(leaseDir(service), 'holders', String(process.pid)), '');
}

/** Records that a test run started this server, with the signal that stops it cleanly. */
export function markStartedByTests(service: string, started: Service, signal: NodeJS.Signals): void {
  if (started.reused || !started.pid) return;
  writeFileSync(join(leaseDir(service), 'started'), JSON.stringify({ pid: started.pid, signal }));
}

/** Drops this run's lease; the last holder stops the server if a test run started it. */
export async function releaseLease(service: string): Promise<void> {
  const holders = join(leaseDir(service), 'holders');
  rmSync(join(holders, String(process.pid)), { force: true });
  const others = readdirSync(holders).filter((pid) => {
    const alive = isAlive(Number(pid));
    if (!alive) rmSync(join(holders, pid), { force: true });
    return alive;
  });
  const marker = join(leaseDir(service), 'started');
  if (others.length > 0 || !existsSync(marker)) return;
  const { pid, signal } = JSON.parse(readFileSync(marker, 'utf8')) as { pid: number; signal: NodeJS.Signals };
  rmSync(marker, { force: true });
  if (isAlive(pid)) await stopProcessGroup(pid, signal);
}
