import { z } from 'zod';
import { LlmRole } from '../../domain/llm-protocol';

/**
 * Scripted mode: queued behaviours consumed by the next matching requests (optionally only those
 * of one role), and a log of every chat request, so tests can inject faults and count calls.
 */

/** `unauthorized` (401) and `bad_request` (400) are the refusals no retry can fix. */
export const Fault = z.enum(['rate_limit', 'server_error', 'hang', 'cut_stream', 'malformed_json', 'length', 'unauthorized', 'bad_request']);
export type Fault = z.infer<typeof Fault>;

export const ScriptStep = z.object({
  role: LlmRole.optional(),
  /** The reply instead of the rule-based model's: a string, or an object sent as JSON. */
  reply: z.unknown().optional(),
  fault: Fault.optional(),
  /** The Retry-After header of a rate_limit fault. */
  retryAfterSeconds: z.number().int().nonnegative().default(1),
  /** Delay between streamed tokens for this reply only: a slow but live stream (e.g. to cancel mid-way). */
  tokenDelayMs: z.number().int().nonnegative().optional(),
  /** How many matching requests this step serves. */
  times: z.number().int().positive().default(1),
});
export type ScriptStep = z.input<typeof ScriptStep>;
type QueuedStep = z.infer<typeof ScriptStep>;

export interface RequestRecord {
  role: LlmRole | null;
  model: string | null;
  stream: boolean;
  continuation: boolean;
  /** The HTTP status answered; null while pending, for a hang, or a connection cut before any answer. */
  status: number | null;
  fault: Fault | null;
  /** The client closed the connection before the reply was complete (an abort or its timeout; a scripted cut does not count). */
  clientClosed: boolean;
  at: string;
}

export interface RequestSummary {
  total: number;
  byRole: Partial<Record<LlmRole | 'none', number>>;
  log: RequestRecord[];
}

export class ScriptQueue {
  private steps: QueuedStep[] = [];
  private records: RequestRecord[] = [];

  push(...steps: ScriptStep[]): void {
    this.steps.push(...steps.map((s) => ScriptStep.parse(s)));
  }

  /** The first queued step for this role (or for any role), used up after `times` requests. */
  take(role: LlmRole | undefined): QueuedStep | undefined {
    const index = this.steps.findIndex((s) => !s.role || s.role === role);
    const step = this.steps[index];
    if (!step) return undefined;
    if (--step.times === 0) this.steps.splice(index, 1);
    return step;
  }

  record(entry: Omit<RequestRecord, 'at' | 'status' | 'clientClosed'>): RequestRecord {
    const record = { ...entry, status: null, clientClosed: false, at: new Date().toISOString() };
    this.records.push(record);
    return record;
  }

  summary(): RequestSummary {
    const byRole: RequestSummary['byRole'] = {};
    for (const r of this.records) byRole[r.role ?? 'none'] = (byRole[r.role ?? 'none'] ?? 0) + 1;
    return { total: this.records.length, byRole, log: this.records.map((r) => ({ ...r })) };
  }

  reset(): void {
    this.steps = [];
    this.records = [];
  }
}
