import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapStatus, nodeRuntimeDir, resolveSandbox, SandboxUnavailableError, scrubbedEnv } from '../../activities/builds/sandbox-policy';
import { parseBuilderConfig } from '../../domain/config';
import { LimitExceededError, runSandboxed } from '../../activities/builds/sandboxed-run';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forge-sandbox-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const bwrap = bwrapStatus();

function run(code: string, kind: 'bwrap' | 'none', limits = { cpuSeconds: 20, memoryMb: 512, timeoutMs: 20_000 }) {
  const lines: string[] = [];
  const result = runSandboxed({
    label: 'node script',
    command: process.execPath,
    args: ['-e', code],
    confinement: { writable: [root], readOnly: [nodeRuntimeDir()], tmpDir: root, network: 'none', dieWithParent: true },
    limits,
    sandbox: kind,
    env: scrubbedEnv(kind, root, { NODE_ENV: 'production' }),
    onLine: (line) => lines.push(line),
  });
  return { result, lines };
}

async function limitHit(promise: Promise<unknown>): Promise<LimitExceededError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(LimitExceededError);
  return err as LimitExceededError;
}

describe('the build sandbox', () => {
  it('gives generated code none of the worker\'s environment', async () => {
    process.env.FORGE_CANARY_SECRET = 'canary-value-from-the-worker';
    try {
      const { result, lines } = run('console.log(JSON.stringify(process.env))', 'none');
      expect((await result).exitCode).toBe(0);
      const env = JSON.parse(lines[0]!) as Record<string, string>;
      // PWD is the shell's own (the limits wrapper), nothing of ours.
      expect(Object.keys(env).filter((k) => k !== 'PWD').sort()).toEqual(['CI', 'HOME', 'LANG', 'NODE_ENV', 'NO_COLOR', 'PATH', 'TMPDIR']);
      expect(lines[0]).not.toContain('canary-value');
    } finally {
      delete process.env.FORGE_CANARY_SECRET;
    }
  });

  it('stops a run over its CPU time, memory or wall-clock limit, saying which', async () => {
    const cpu = await limitHit(run('for (;;) {}', 'none', { cpuSeconds: 1, memoryMb: 512, timeoutMs: 30_000 }).result);
    expect(cpu.limit).toBe('cpu');
    expect(cpu.message).toMatch(/node script used [\d.]+ s of CPU, over its limit of 1 s/);

    const memory = await limitHit(run('const a = []; for (;;) a.push(Buffer.alloc(1e6, 1));', 'none', { cpuSeconds: 20, memoryMb: 150, timeoutMs: 30_000 }).result);
    expect(memory.limit).toBe('memory');
    expect(memory.message).toMatch(/over its memory limit of 150 MiB/);

    const wall = await limitHit(run('setTimeout(() => {}, 60_000)', 'none', { cpuSeconds: 20, memoryMb: 512, timeoutMs: 500 }).result);
    expect(wall.limit).toBe('wall-clock');
    expect(wall.message).toBe('node script did not finish within its wall-clock limit of 1 s');
  });

  it('never degrades silently: no bubblewrap fails with the fix, only an explicit none runs unconfined, never in production', () => {
    const missing = () => ({ available: false, reason: 'bwrap is not installed (Debian package bubblewrap)' });
    for (const mode of ['bwrap', 'auto'] as const) {
      expect(() => resolveSandbox(mode, 'development', missing)).toThrow(SandboxUnavailableError);
      expect(() => resolveSandbox(mode, 'development', missing)).toThrow(/apt-get install bubblewrap.*seccomp=unconfined.*BUILD_SANDBOX=none/);
    }
    expect(resolveSandbox('bwrap', 'production', () => ({ available: true, reason: 'bwrap works' }))).toEqual({ kind: 'bwrap', warning: null });
    // The explicit opt-out carries a warning that every build logs, and production refuses it.
    expect(resolveSandbox('none', 'development', missing)).toEqual({ kind: 'none', warning: expect.stringContaining('WITHOUT a sandbox') });
    expect(() => resolveSandbox('none', 'production')).toThrow(/refused in production/);
    expect(() => parseBuilderConfig({ NODE_ENV: 'production', BUILD_SANDBOX: 'none' })).toThrow(/BUILD_SANDBOX: none is refused in production/);
    expect(parseBuilderConfig({}).BUILD_SANDBOX).toBe('bwrap');
  });

  describe.skipIf(!bwrap.available)(`under bubblewrap (${bwrap.reason})`, () => {
    it('sees neither Forge\'s files nor the network, only its workspace', async () => {
      const { result, lines } = run(
        `const fs = require('fs');
         console.log(fs.existsSync(${JSON.stringify(resolve('package.json'))}), fs.existsSync(${JSON.stringify(resolve('.data'))}), fs.existsSync(${JSON.stringify(root)}));
         require('net').connect(5433, '127.0.0.1').on('error', (e) => console.log('net', e.code)).on('connect', () => console.log('net connected'));`,
        'bwrap',
      );
      expect((await result).exitCode).toBe(0);
      // Not the repository, not its secrets (.data/dev.env); the workspace yes; the database port no.
      expect(lines[0]).toBe('false false true');
      expect(lines[1]).toMatch(/^net E/);
    });
  });
});
