import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CpuUsage } from './cpu-usage';
import type { JobBatch } from './job-run';
import type { LlmTiming } from './llm-timer';
import { meanStages, type StageTimes } from './stage-times';

/** One path (Temporal or in-process) at one concurrency level. */
export interface PathResult {
  jobs: number;
  errors: number;
  /** First message sent to last job finished. */
  totalWallMs: number;
  p50Ms: number;
  p95Ms: number;
  llm: LlmTiming & { perJobMs: number };
  /** Mean tokens per job, as recorded (Temporal: the job row; in-process: the activities' results). */
  tokensPerJob: number;
  /** Mean milliseconds per stage (stage-times.ts). */
  stages: StageTimes;
  /**
   * CPU seconds of this path's processes during the phase, and how busy the machine was; per job:
   * the processes' sum, and the machine's busy time (the type checks' tsc included, see CpuUsage).
   */
  cpu: CpuUsage & { perJobSeconds: number; machinePerJobSeconds: number };
  errorSamples: string[];
}

export interface LevelResult {
  concurrency: number;
  temporal: PathResult;
  inProcess: PathResult;
  /** Temporal total wall / in-process total wall. */
  overhead: number;
  /** Temporal p50 / in-process p50. */
  overheadP50: number;
  peakRssMiB: { api: number; worker: number };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

export function summarize({ runs, totalWallMs }: JobBatch, llm: LlmTiming, cpu: CpuUsage): PathResult {
  const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  const failed = runs.filter((r) => !r.ok);
  return {
    jobs: runs.length,
    errors: failed.length,
    totalWallMs: Math.round(totalWallMs),
    p50Ms: Math.round(percentile(walls, 50)),
    p95Ms: Math.round(percentile(walls, 95)),
    llm: { calls: llm.calls, totalMs: Math.round(llm.totalMs), perJobMs: Math.round(llm.totalMs / Math.max(1, runs.length)) },
    tokensPerJob: Math.round(runs.reduce((sum, r) => sum + (r.usage ? r.usage.promptTokens + r.usage.completionTokens : 0), 0) / Math.max(1, runs.length)),
    stages: meanStages(runs.map((r) => r.stages)),
    cpu: {
      ...cpu,
      perJobSeconds: Object.values(cpu.seconds).reduce((a, b) => a + b, 0) / Math.max(1, runs.length),
      machinePerJobSeconds: cpu.machineSeconds / Math.max(1, runs.length),
    },
    errorSamples: [...new Set(failed.map((r) => r.error ?? 'unknown'))].slice(0, 5),
  };
}

const columns: Array<[string, (l: LevelResult) => string | number]> = [
  ['N', (l) => l.concurrency],
  ['temporal total s', (l) => (l.temporal.totalWallMs / 1000).toFixed(2)],
  ['p50 s', (l) => (l.temporal.p50Ms / 1000).toFixed(2)],
  ['p95 s', (l) => (l.temporal.p95Ms / 1000).toFixed(2)],
  ['in-proc total s', (l) => (l.inProcess.totalWallMs / 1000).toFixed(2)],
  ['p50 s', (l) => (l.inProcess.p50Ms / 1000).toFixed(2)],
  ['p95 s', (l) => (l.inProcess.p95Ms / 1000).toFixed(2)],
  ['overhead', (l) => `${l.overhead.toFixed(2)}x`],
  ['p50 ratio', (l) => `${l.overheadP50.toFixed(2)}x`],
  ['LLM s/job T|I', (l) => `${(l.temporal.llm.perJobMs / 1000).toFixed(2)}|${(l.inProcess.llm.perJobMs / 1000).toFixed(2)}`],
  ['LLM calls T|I', (l) => `${l.temporal.llm.calls}|${l.inProcess.llm.calls}`],
  ['CPU s/job T|I', (l) => `${l.temporal.cpu.perJobSeconds.toFixed(2)}|${l.inProcess.cpu.perJobSeconds.toFixed(2)}`],
  ['machine CPU s/job T|I', (l) => `${l.temporal.cpu.machinePerJobSeconds.toFixed(2)}|${l.inProcess.cpu.machinePerJobSeconds.toFixed(2)}`],
  ['busy% T|I', (l) => `${l.temporal.cpu.machineBusyPct}|${l.inProcess.cpu.machineBusyPct}`],
  ['errors T|I', (l) => `${l.temporal.errors}|${l.inProcess.errors}`],
  ['RSS MiB api|worker', (l) => `${l.peakRssMiB.api}|${l.peakRssMiB.worker}`],
];

/** A plain-text table, one row per concurrency level. */
export function formatTable(levels: LevelResult[]): string {
  const rows = [columns.map(([name]) => name), ...levels.map((l) => columns.map(([, cell]) => String(cell(l))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}

const stageOrder = ['accept', 'intent', 'plan', 'generate', 'check', 'fix', 'save', 'relay'];

/** Mean ms per stage, Temporal | in-process, one column per concurrency level. */
export function formatStageTable(levels: LevelResult[]): string {
  const present = stageOrder.filter((stage) => levels.some((l) => stage in l.temporal.stages || stage in l.inProcess.stages));
  const cell = (ms: number | undefined) => (ms === undefined ? '-' : String(ms));
  const rows = [
    ['stage ms (T|I)', ...levels.map((l) => `N=${l.concurrency}`)],
    ...present.map((stage) => [stage, ...levels.map((l) => `${cell(l.temporal.stages[stage])}|${cell(l.inProcess.stages[stage])}`)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
