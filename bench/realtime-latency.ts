// `npm run bench bench/realtime-latency.ts`: socket.io relay figures against the real API process.
// Event delivery latency from the activity's append (committed; also from the call, which adds
// the transaction and its fsync) to the client's receive (p50/p99) with 1,
// 100 and 1,000 subscribers on one topic and 100 topics at once; delta throughput; replay time of
// 10,000 stored events. Prints tables, writes bench/results/realtime-latency.json, and exits 1
// when an event was lost or duplicated.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../scripts/stack/paths';
import { startRealtimeBench } from './realtime/bench-api';
import { formatTable } from './realtime/latency-stats';
import { deltaThroughput, fanoutLatency, manyTopicsLatency, replayTime, type DeltaResult, type LatencyResult, type ReplayResult } from './realtime/scenarios';

const resultsPath = join(repoRoot, 'bench/results/realtime-latency.json');
const goal = { subscribers: 100, p50Ms: 10, p99Ms: 50 };
const say = (line: string) => console.log(`[bench] ${line}`);

const startedAt = new Date();
say('starting a fresh database and the API process');
const stack = await startRealtimeBench();
const latency: LatencyResult[] = [];
const deltas: DeltaResult[] = [];
let replay: ReplayResult;
try {
  say('warming up');
  await fanoutLatency(stack, 1, 60, 10);
  for (const subscribers of [1, 100, 1_000]) {
    say(`latency: 1 topic, ${subscribers} subscriber(s)`);
    latency.push(await fanoutLatency(stack, subscribers));
  }
  say('latency: 100 topics at once, 5 subscribers each');
  latency.push(await manyTopicsLatency(stack, 100, 5));
  say('delta throughput: 1 topic at 5,000/s, then 100 topics at 200/s each');
  deltas.push(await deltaThroughput(stack, 1, 5_000));
  deltas.push(await deltaThroughput(stack, 100, 200));
  say('replay of 10,000 stored events');
  replay = await replayTime(stack);
} finally {
  await stack.close();
}

console.log(`\n${formatTable(
  ['scenario', 'subscribers', 'events', 'p50 ms', 'p99 ms', 'max ms', 'from call p50', 'from call p99', 'lost', 'duplicated'],
  latency.map((r) => [r.scenario, r.subscribers, r.events, r.p50Ms, r.p99Ms, r.maxMs, r.fromCallP50Ms, r.fromCallP99Ms, r.lost, r.duplicated]),
)}\n`);
console.log(`${formatTable(
  ['delta topics', 'published/s', 'delivered/s per client', 'messages/s per topic', 'delivered', 'p50 ms', 'p99 ms'],
  deltas.map((d) => [d.topics, d.publishedPerSecond, d.deliveredPerSecondPerClient, d.messagesPerTopicPerSecond, d.deliveredRatio, d.p50Ms, d.p99Ms]),
)}\n`);
console.log(`${formatTable(
  ['replay', 'runs ms', 'median ms', 'events/s', 'lost', 'duplicated'],
  [[`${replay!.storedEvents} events`, replay!.runsMs.join(' / '), replay!.medianMs, replay!.eventsPerSecond, replay!.lost, replay!.duplicated]],
)}\n`);

const atGoal = latency.find((r) => r.subscribers === goal.subscribers && r.topics === 1)!;
const lossless = [...latency, replay!].every((r) => r.lost === 0 && r.duplicated === 0);
const goalMet = atGoal.p50Ms <= goal.p50Ms && atGoal.p99Ms <= goal.p99Ms && lossless;
say(`goal (p50 <= ${goal.p50Ms} ms, p99 <= ${goal.p99Ms} ms at ${goal.subscribers} subscribers, nothing lost or duplicated): ${goalMet ? 'met' : 'missed'}`);

mkdirSync(dirname(resultsPath), { recursive: true });
writeFileSync(resultsPath, `${JSON.stringify({
  startedAt: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: { cpus: cpus().length, memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version },
  goal,
  goalMet,
  latency,
  deltas,
  replay: replay!,
}, null, 2)}\n`);
say(`wrote ${resultsPath}`);
if (!lossless) process.exit(1);
