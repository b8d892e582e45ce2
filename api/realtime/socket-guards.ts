import { ErrorCode } from '../../domain/errors';
import type { Ack, AckError, CommandName } from '../../domain/realtime';

export interface Rate {
  /** Burst: calls allowed at once. */
  burst: number;
  /** Sustained calls per second. */
  perSecond: number;
}

export interface InboundLimits {
  commands: Rate;
  subscriptions: Rate;
  /** Largest payload of one client event, in characters of its JSON. */
  maxPayloadChars: number;
}

/** A token bucket: `burst` calls at once, refilled at `perSecond`. */
function tokenBucket({ burst, perSecond }: Rate) {
  let tokens = burst;
  let at = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

const commandNames = new Set<string>(['send_message', 'approve_plan', 'reject_plan', 'answer', 'cancel'] satisfies CommandName[]);

/**
 * A socket's middleware (one per socket) that refuses, through the event's own ack, what it may not send: more commands or
 * subscriptions than its budget (each socket has its own, so one noisy tab cannot starve the
 * others), and payloads over the size limit. The transport's `maxHttpBufferSize` stays as the
 * hard backstop that closes the connection.
 */
export function inboundGuards(limits: InboundLimits) {
  const allowCommand = tokenBucket(limits.commands);
  const allowSubscription = tokenBucket(limits.subscriptions);
  return (packet: unknown[], next: (err?: Error) => void) => {
    const [event, ...args] = packet;
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as (response: Ack) => void) : undefined;
    const refuse = (error: AckError) => ack?.({ ok: false, error });

    const allow = commandNames.has(event as string) ? allowCommand : event === 'subscribe' || event === 'unsubscribe' ? allowSubscription : undefined;
    if (allow && !allow()) return refuse({ code: ErrorCode.rateLimited, message: `Too many ${String(event)} calls on this connection; slow down` });
    if (JSON.stringify(args).length > limits.maxPayloadChars) {
      return refuse({ code: ErrorCode.payloadTooLarge, message: `The payload is over ${limits.maxPayloadChars} characters` });
    }
    next();
  };
}
