import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

export interface LlmTiming {
  calls: number;
  /** Sum of every call's duration: model time the jobs waited for, counted per call. */
  totalMs: number;
}

/**
 * Times every chat completion the in-process model server answers, from the request's arrival to
 * the last byte of the (streamed) response, through Node's HTTP diagnostics channels: the model
 * server and both job paths stay untouched, and both paths are measured by the same clock.
 */
export function startLlmTimer() {
  const started = new WeakMap<IncomingMessage, number>();
  let timing: LlmTiming = { calls: 0, totalMs: 0 };
  const onStart = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.url?.endsWith('/chat/completions')) started.set(request, performance.now());
  };
  const onFinish = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    const at = started.get(request);
    if (at === undefined) return;
    started.delete(request);
    timing = { calls: timing.calls + 1, totalMs: timing.totalMs + performance.now() - at };
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    /** What was measured since the last take, and a fresh count from now. */
    take(): LlmTiming {
      const taken = timing;
      timing = { calls: 0, totalMs: 0 };
      return taken;
    },
    stop() {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
