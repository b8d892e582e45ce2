// `npm run bench bench/event-append.ts`: what one durable event append costs, before and after the
// SQL function forge_append_events, in the same run on the same fresh database (shared dev Postgres, no
// Temporal): round trips to Postgres per append (counted by the pool's client), wall time, the
// CPU time of this Node process (the event-loop time each round trip costs a worker or an API node)
// and that of the Postgres backends serving it (from /proc: the function must not just move the cost).
// Each scenario runs BENCH_APPENDS appends (default 500) at concurrency BENCH_CONCURRENCY (default 10),
// in rounds A B B A so drift hits both sides alike. Writes bench/results/event-append.json.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { initOrm, type MikroORM } from '../db/orm';
import { appendEvents } from '../db/repositories/event-log';
import { topicFor, type NewEvent, type StoredEvent, type Topic } from '../domain/events';
import { repoRoot } from '../scripts/stack/paths';
import { createRunDatabase, provideSharedPostgres } from '../scripts/stack/shared-servers';
import { countingClient } from '../test/support/counting-pg-client';
import { writeJson } from './codegen/bench-report';
import { multiStatementAppend } from './event-append/multi-statement-append';

type Append = (em: EntityManager, topic: Topic, events: readonly NewEvent[]) => Promise<StoredEvent[]>;

const appends = Number(process.env.BENCH_APPENDS ?? 500);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);

const keyed = (n: number): NewEvent => ({ type: 'plan.approved', data: { n }, key: `bench:${randomUUID()}` });

/** One append as its callers make them: the API's message (a new topic), reportJob's (in its own transaction), a batch. */
const scenarios: Record<string, (append: Append, orm: MikroORM, i: number) => Promise<unknown>> = {
  'one keyed event, new topic': (append, orm, i) => append(orm.em.fork(), topicFor('session', randomUUID()), [keyed(i)]),
  "one keyed event, in the caller's transaction": (append, orm, i) =>
    orm.em.fork().transactional((tx) => append(tx, topicFor('job', randomUUID()), [keyed(i)])),
  'three keyed events, new topic': (append, orm, i) => append(orm.em.fork(), topicFor('job', randomUUID()), [keyed(i), keyed(i), keyed(i)]),
};

interface Measured { roundTrips: number; wallMs: number; cpuMs: number; pgCpuMs: number; p50Ms: number; p95Ms: number }

/** CPU ticks (1/100 s, USER_HZ) of each backend connected to the bench's database. */
async function backendTicks(): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [databaseName]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // utime and stime: fields 14 and 15, counted after the command name, which may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch { /* a backend that just exited */ }
  }
  return ticks;
}

async function measure(run: (i: number) => Promise<unknown>, counter: { queries: number }): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  counter.queries = 0;
  const pgBefore = await backendTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < appends) {
      const i = next++;
      const t = performance.now();
      await run(i);
      latencies.push(performance.now() - t);
    }
  }));
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  let pgTicks = 0;
  for (const [pid, ticks] of await backendTicks()) pgTicks += ticks - (pgBefore.get(pid) ?? 0);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
  return { roundTrips: counter.queries / appends, wallMs, cpuMs: (user + system) / 1000, pgCpuMs: pgTicks * 10, p50Ms: at(0.5), p95Ms: at(0.95) };
}

const mean = (xs: Measured[], k: keyof Measured) => xs.reduce((s, x) => s + x[k], 0) / xs.length;

const postgres = await provideSharedPostgres();
const database = await createRunDatabase(postgres.adminUrl, 'forge_bench_events');
const databaseName = new URL(database.url).pathname.slice(1);
const admin = new pg.Client({ connectionString: postgres.adminUrl });
await admin.connect();
const sides = { before: multiStatementAppend, after: appendEvents } satisfies Record<string, Append>;
const orms = await Promise.all(Object.keys(sides).map(async () => {
  const { Client, counter } = countingClient();
  return { orm: await initOrm(database.url, { pool: { min: 0, max: concurrency }, driverOptions: { Client } }), counter };
}));
try {
  const results = [];
  for (const [name, scenario] of Object.entries(scenarios)) {
    const runs = { before: [] as Measured[], after: [] as Measured[] };
    for (const side of ['before', 'after', 'after', 'before'] as const) {
      const { orm, counter } = orms[side === 'before' ? 0 : 1]!;
      await measure((i) => scenario(sides[side], orm, i), counter); // warm: connections, plans
      runs[side].push(await measure((i) => scenario(sides[side], orm, i), counter));
    }
    const row = {
      scenario: name,
      roundTrips: { before: mean(runs.before, 'roundTrips'), after: mean(runs.after, 'roundTrips') },
      appendsPerSecond: { before: appends / (mean(runs.before, 'wallMs') / 1000), after: appends / (mean(runs.after, 'wallMs') / 1000) },
      p50Ms: { before: mean(runs.before, 'p50Ms'), after: mean(runs.after, 'p50Ms') },
      p95Ms: { before: mean(runs.before, 'p95Ms'), after: mean(runs.after, 'p95Ms') },
      nodeCpuMsPerAppend: { before: mean(runs.before, 'cpuMs') / appends, after: mean(runs.after, 'cpuMs') / appends },
      postgresCpuMsPerAppend: { before: mean(runs.before, 'pgCpuMs') / appends, after: mean(runs.after, 'pgCpuMs') / appends },
      wallRatio: mean(runs.after, 'wallMs') / mean(runs.before, 'wallMs'),
      cpuRatio: mean(runs.after, 'cpuMs') / mean(runs.before, 'cpuMs'),
    };
    results.push(row);
    console.log(`[bench] ${name}: round trips ${row.roundTrips.before} -> ${row.roundTrips.after}; ` +
      `appends/s ${row.appendsPerSecond.before.toFixed(0)} -> ${row.appendsPerSecond.after.toFixed(0)} (wall x${row.wallRatio.toFixed(2)}); ` +
      `p50 ${row.p50Ms.before.toFixed(2)} -> ${row.p50Ms.after.toFixed(2)} ms; p95 ${row.p95Ms.before.toFixed(2)} -> ${row.p95Ms.after.toFixed(2)} ms; ` +
      `Node CPU/append ${row.nodeCpuMsPerAppend.before.toFixed(3)} -> ${row.nodeCpuMsPerAppend.after.toFixed(3)} ms (x${row.cpuRatio.toFixed(2)}); ` +
      `Postgres CPU/append ${row.postgresCpuMsPerAppend.before.toFixed(3)} -> ${row.postgresCpuMsPerAppend.after.toFixed(3)} ms`);
  }
  console.table(results.map((r) => ({
    scenario: r.scenario,
    'round trips': `${r.roundTrips.before} -> ${r.roundTrips.after}`,
    'appends/s': `${r.appendsPerSecond.before.toFixed(0)} -> ${r.appendsPerSecond.after.toFixed(0)}`,
    'p50 ms': `${r.p50Ms.before.toFixed(2)} -> ${r.p50Ms.after.toFixed(2)}`,
    'Node CPU ms/append': `${r.nodeCpuMsPerAppend.before.toFixed(3)} -> ${r.nodeCpuMsPerAppend.after.toFixed(3)}`,
    'Postgres CPU ms/append': `${r.postgresCpuMsPerAppend.before.toFixed(3)} -> ${r.postgresCpuMsPerAppend.after.toFixed(3)}`,
    'wall after/before': r.wallRatio.toFixed(2),
  })));
  writeJson(join(repoRoot, 'bench/results/event-append.json'), { appends, concurrency, at: new Date().toISOString(), results });
} finally {
  await Promise.all(orms.map(({ orm }) => orm.close()));
  await admin.end();
  await database.drop();
  await postgres.release();
}
