import type { Logger } from 'pino';
import type { z } from 'zod';
import { ErrorCode } from '../../domain/errors';
import type { Ack, AckError } from '../../domain/realtime';
import { assertStorableText } from '../http/storable-text';
import { knownError, toErrorBody } from '../middleware/error-handler';

/** The ack twin of the REST error middleware: typed errors (and dependency outages) keep their code, anything else is a logged 500. */
export function toAckError(err: unknown, logger: Logger): AckError {
  const known = knownError(err);
  if (!known) logger.error({ err }, 'unhandled error in a socket handler');
  return toErrorBody(known).error;
}

/**
 * Wraps a client event handler: validates the payload with its zod schema (the same details as a
 * REST 400), runs it, and acks `{ ok: true, ...result }` or `{ ok: false, error }`. An event sent
 * without an ack is ignored: every client event of the contract has one, and a command whose
 * outcome nobody can hear is better not run.
 */
export function acked<S extends z.ZodType, R extends object>(schema: S, logger: Logger, run: (input: z.output<S>) => Promise<R>) {
  return (payload: unknown, ack: unknown): void => {
    if (typeof ack !== 'function') return;
    const respond = ack as (response: Ack<R>) => void;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
      return respond({ ok: false, error: { code: ErrorCode.invalidInput, message: `Invalid payload: ${issues[0]?.path}: ${issues[0]?.message}`, details: { issues } } });
    }
    try {
      assertStorableText(payload, 'payload');
    } catch (err) {
      return respond({ ok: false, error: toAckError(err, logger) });
    }
    run(parsed.data).then(
      (result) => respond({ ok: true, ...result }),
      (err: unknown) => respond({ ok: false, error: toAckError(err, logger) }),
    );
  };
}
