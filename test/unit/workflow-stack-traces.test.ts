import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/paths';

const dir = mkdtempSync(join(tmpdir(), 'forge-stack-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What the SDK does when a workflow thread starts: try to create a promise hook; answer whether it could.
const probe = `const v8 = require('node:v8'); try { v8.promiseHooks.createHook({ init() {} }); console.log('hook'); } catch { console.log('none'); }`;
writeFileSync(join(dir, 'probe.cjs'), probe);
writeFileSync(join(dir, 'main.cjs'), `${probe}\nconst { Worker } = require('node:worker_threads'); new Worker(${JSON.stringify(join(dir, 'probe.cjs'))});`);

/** A Node process started as the worker is (the preload first): the main thread's answer, then its worker thread's. */
const run = (env: Record<string, string> = {}) => execFileSync(process.execPath, ['--import', join(repoRoot, 'worker/workflow-stack-traces.ts'), join(dir, 'main.cjs')], {
  encoding: 'utf8',
  env: { PATH: process.env.PATH ?? '', ...env },
}).trim().split('\n');

describe('worker/workflow-stack-traces.ts', () => {
  it('leaves promise hooks to the main thread and takes them from worker threads, where workflows run', () => {
    expect(run()).toEqual(['hook', 'none']);
  });

  it('keeps them everywhere with WORKFLOW_STACK_TRACES=on', () => {
    expect(run({ WORKFLOW_STACK_TRACES: 'on' })).toEqual(['hook', 'hook']);
  });
});
