import { z } from 'zod';

/**
 * A client's Idempotency-Key (header on REST, `idempotencyKey` on socket commands): any opaque
 * token, a UUID in the SDK. A retry with the same key within 24 hours gets the first answer.
 */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/);
export type IdempotencyKey = z.infer<typeof IdempotencyKey>;

/** The header, and the answer header that marks a replayed first result. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
