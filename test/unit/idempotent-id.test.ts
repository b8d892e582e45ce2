import { expect, it } from 'vitest';
import { z } from 'zod';
import { idempotentId } from '../../db/idempotent-id';

it('derives the same valid UUID from the same key, and different ones from different keys', () => {
  const id = idempotentId('stack-check-1/run-a/1');
  expect(idempotentId('stack-check-1/run-a/1')).toBe(id);
  expect(idempotentId('stack-check-1/run-b/1')).not.toBe(id);
  expect(idempotentId('stack-check-1/run-a/2')).not.toBe(id);
  expect(z.uuid().safeParse(id).success).toBe(true);
  expect(id[14]).toBe('8'); // RFC 9562 version 8 (name-based, custom hash)
});
