import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessTimeoutError, runProcess } from '../../activities/codegen/run-process';

let cwd: string;
beforeAll(async () => { cwd = await mkdtemp(join(tmpdir(), 'forge-run-test-')); });
afterAll(async () => rm(cwd, { recursive: true, force: true }));

const env = { PATH: '/usr/bin:/bin' };
const sh = (script: string, extra: Partial<Parameters<typeof runProcess>[2]> = {}) =>
  runProcess('/bin/sh', ['-c', script], { cwd, env, timeoutMs: 10_000, ...extra });

describe('runProcess', () => {
  it('collects exit code, stdout and stderr, in the given directory', async () => {
    const result = await sh('pwd; echo oops >&2; exit 3');
    expect(result).toEqual({ exitCode: 3, stdout: `${cwd}\n`, stderr: 'oops\n', truncated: false });
  });

  it('gives the child only the environment it was handed', async () => {
    process.env.FORGE_TEST_SECRET = 'leak';
    try {
      const { stdout } = await sh('env');
      expect(stdout).not.toContain('FORGE_TEST_SECRET');
      expect(stdout).toContain('PATH=/usr/bin:/bin');
    } finally {
      delete process.env.FORGE_TEST_SECRET;
    }
  });

  it('kills the whole process group when the time limit passes', async () => {
    const marker = join(cwd, 'grandchild-survived');
    const started = Date.now();
    // The grandchild would write the marker after 1.5 s if the kill missed it.
    await expect(sh(`(sleep 1.5; touch ${marker}) & sleep 30`, { timeoutMs: 300 })).rejects.toBeInstanceOf(ProcessTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(existsSync(marker)).toBe(false);
  });

  it('stops on abort with the abort reason, and refuses to start when already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    await expect(sh('sleep 30', { signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(sh('echo never', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('keeps at most maxOutputBytes per stream and says it cut the rest', async () => {
    const result = await sh('head -c 100000 /dev/zero | tr "\\0" x', { maxOutputBytes: 1000 });
    expect(result.stdout).toHaveLength(1000);
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it('rejects when the command cannot start', async () => {
    await expect(runProcess(join(cwd, 'no-such-binary'), [], { cwd, env, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
