import { expect, it } from 'vitest';
import { batchPerKey, perKeyQueue } from '../../domain/per-key';

/** A call that waits until the test lets it go, recording what it was given. */
function gatedRun() {
  const calls: Array<{ key: string; items: number[]; release: () => void; fail: (err: Error) => void }> = [];
  const run = (key: string, items: number[]) => new Promise<string[]>((resolve, reject) => {
    calls.push({ key, items, release: () => resolve(items.map((i) => `${key}:${i}`)), fail: reject });
  });
  return { calls, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it('batchPerKey: a lone item runs at once; the items that arrive meanwhile go together in the next call, in order', async () => {
  const { calls, run } = gatedRun();
  const admit = batchPerKey(run);
  const first = admit('org', 1);
  const later = [admit('org', 2), admit('org', 3), admit('org', 4)];
  await settle();
  expect(calls.map((c) => c.items)).toEqual([[1]]);
  calls[0]!.release();
  await expect(first).resolves.toBe('org:1');
  await settle();
  expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
  calls[1]!.release();
  await expect(Promise.all(later)).resolves.toEqual(['org:2', 'org:3', 'org:4']);
});

it('batchPerKey: keys do not wait for each other, a failed call fails only its own items, and a key starts afresh after', async () => {
  const { calls, run } = gatedRun();
  const admit = batchPerKey(run, 2);
  const a = admit('a', 1);
  const b = admit('b', 1);
  const queued = [admit('a', 2), admit('a', 3), admit('a', 4)];
  await settle();
  expect(calls.map((c) => [c.key, c.items])).toEqual([['a', [1]], ['b', [1]]]);
  calls[0]!.fail(new Error('database down'));
  await expect(a).rejects.toThrow('database down');
  await settle();
  // At most two items per call.
  expect(calls.map((c) => c.items)).toEqual([[1], [1], [2, 3]]);
  calls[2]!.release();
  await settle();
  calls[3]!.release();
  await expect(Promise.all(queued)).resolves.toEqual(['a:2', 'a:3', 'a:4']);
  calls[1]!.release();
  await expect(b).resolves.toBe('b:1');
  const again = admit('a', 5);
  await settle();
  expect(calls.at(-1)!.items).toEqual([5]);
  calls.at(-1)!.release();
  await expect(again).resolves.toBe('a:5');
});

it('perKeyQueue: one call per key at a time, in arrival order, whatever the earlier ones did', async () => {
  const inOrder = perKeyQueue();
  const seen: string[] = [];
  const step = (name: string, fail = false) => async () => {
    seen.push(`${name} start`);
    await settle();
    seen.push(`${name} end`);
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([inOrder('s', step('one', true)), inOrder('s', step('two')), inOrder('t', step('other'))]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  expect(seen.indexOf('two start')).toBeGreaterThan(seen.indexOf('one end'));
  expect(seen.indexOf('other start')).toBeLessThan(seen.indexOf('one end'));
});
