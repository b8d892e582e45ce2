import { expect, it } from 'vitest';
import { assertValidFileSet, VersionLimits } from '../../domain/versions';

const MiB = 1024 * 1024;
const refusal = (files: Array<{ path: string; size: number }>) => {
  try {
    assertValidFileSet(files);
  } catch (err) {
    return err;
  }
  return undefined;
};

it('accepts a set at every limit', () => {
  const files = Array.from({ length: VersionLimits.maxFiles }, (_, i) => ({ path: `f${i}`, size: i < 20 ? MiB : 0 }));
  expect(refusal(files)).toBeUndefined();
  expect(refusal([])).toBeUndefined();
});

it('refuses bad and repeated paths with invalid_input naming the path', () => {
  expect(refusal([{ path: 'ok', size: 1 }, { path: '/abs', size: 1 }])).toMatchObject({ code: 'invalid_input', message: 'Path "/abs" is absolute', details: { path: '/abs' } });
  expect(refusal([{ path: 'a', size: 1 }, { path: 'a', size: 2 }])).toMatchObject({ code: 'invalid_input', details: { path: 'a' } });
});

it('refuses sizes over the limits with payload_too_large', () => {
  expect(refusal([{ path: 'big', size: MiB + 1 }])).toMatchObject({ code: 'payload_too_large', details: { path: 'big', size: MiB + 1, limit: MiB } });
  const many = Array.from({ length: VersionLimits.maxFiles + 1 }, (_, i) => ({ path: `f${i}`, size: 0 }));
  expect(refusal(many)).toMatchObject({ code: 'payload_too_large', details: { count: 2_001, limit: 2_000 } });
  const heavy = Array.from({ length: 21 }, (_, i) => ({ path: `f${i}`, size: MiB }));
  expect(refusal(heavy)).toMatchObject({ code: 'payload_too_large', details: { size: 21 * MiB, limit: 20 * MiB } });
});
