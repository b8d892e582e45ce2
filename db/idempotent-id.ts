import { createHash } from 'node:crypto';

/**
 * A UUID derived from a natural key (RFC 9562 version 8: name-based, SHA-256). Rows written by
 * activities use it as their primary key, so a retried attempt targets the same row and an
 * `on conflict do nothing` insert makes the write happen once.
 */
export function idempotentId(naturalKey: string): string {
  const bytes = createHash('sha256').update(naturalKey).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
