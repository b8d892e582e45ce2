// `tsx scripts/record-histories.ts`: re-records test/replay-histories/*.json, the workflow histories
// that codegen-replay.test.ts replays on every run. It runs a real session through vitest (the same
// fresh database, Temporal dev server and fixtures as the suites). Re-record only after a change
// that is meant to break replay, and only once no job of the old code can still be running.
// An argument records only the recordings whose test name matches it: `tsx scripts/record-histories.ts deployment`.
import { startVitest } from 'vitest/node';

const recorder = 'test/replay-histories/record-histories.ts';
const testNamePattern = process.argv[2];
const vitest = await startVitest([recorder], { run: true, watch: false, include: [recorder], ...(testNamePattern ? { testNamePattern } : {}) });
await vitest.close();
const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getFiles().length === 0;
if (failed) console.error(`recording failed: see the output of ${recorder} above`);
process.exit(failed ? 1 : 0);
