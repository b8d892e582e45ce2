import { afterEach, expect, it, vi } from 'vitest';
import { AccessTokens } from '../../api/auth/access-token';
import { VerifiedTokens } from '../../api/auth/verified-tokens';

const secret = 'unit-secret-unit-secret-unit-secret-0123456789';
const start = new Date('2026-01-01T00:00:00Z');

afterEach(() => vi.useRealTimers());

it('refuses a remembered token from the second its exp is reached, as jose does', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(start);
  const tokens = new AccessTokens(secret, 60);
  const token = await tokens.sign({ userId: 'u1' });
  expect(await tokens.verify(token)).toEqual({ userId: 'u1' });
  vi.setSystemTime(start.getTime() + 59_999);
  expect(await tokens.verify(token)).toEqual({ userId: 'u1' });
  vi.setSystemTime(start.getTime() + 60_000);
  await expect(tokens.verify(token)).rejects.toThrow(/exp/);
  // A fresh instance (nothing remembered) gives the same answer.
  await expect(new AccessTokens(secret, 60).verify(token)).rejects.toThrow(/exp/);
});

it('never takes a forged or tampered token for a remembered one', async () => {
  const tokens = new AccessTokens(secret, 60);
  const token = await tokens.sign({ userId: 'u1' });
  await tokens.verify(token);
  const [header, payload, signature] = token.split('.');
  const otherUser = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'u2' })).toString('base64url');
  await expect(tokens.verify(`${header}.${otherUser}.${signature}`)).rejects.toThrow();
  const foreign = await new AccessTokens('another-secret-another-secret-0123456789', 60).sign({ userId: 'u1' });
  await expect(tokens.verify(foreign)).rejects.toThrow();
  await expect(tokens.verify(foreign)).rejects.toThrow();
});

it('keeps at most its bound, dropping the oldest entry first', () => {
  const cache = new VerifiedTokens<string>(2);
  cache.set('a', 'A', 100);
  cache.set('b', 'B', 100);
  cache.set('c', 'C', 100);
  expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([undefined, 'B', 'C']);
  expect(cache.get('b', 100)).toBeUndefined();
});
