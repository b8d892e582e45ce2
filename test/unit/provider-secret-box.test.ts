import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { SecretBox, secretContext } from '../../activities/providers/secret-box';
import { parseWorkerConfig } from '../../domain/config';

const key = () => randomBytes(32).toString('base64');
const context = secretContext('7d0c5a52-43e1-4b33-9d3b-0d6cb7a1a111', 'render');

describe('provider secrets at rest (AES-256-GCM)', () => {
  it('seals so that neither the value nor its name shows, and opens back to the same secrets', () => {
    const box = new SecretBox(key());
    const sealed = box.seal({ apiKey: 'rnd_very-secret-value' }, context);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('very-secret');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('apiKey');
    expect(box.open(sealed, context)).toEqual({ apiKey: 'rnd_very-secret-value' });
    // A fresh IV per seal: equal secrets never give equal ciphertexts.
    expect(box.seal({ apiKey: 'rnd_very-secret-value' }, context)).not.toBe(sealed);
  });

  it('refuses a wrong key, another row\'s context and any tampering, without echoing the data', () => {
    const box = new SecretBox(key());
    const sealed = box.seal({ apiKey: 'rnd_very-secret-value' }, context);
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    for (const attempt of [
      () => new SecretBox(key()).open(sealed, context),
      () => box.open(sealed, secretContext('00000000-0000-4000-8000-000000000000', 'render')),
      () => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), context),
      () => box.open('v2.a.b.c', context),
    ]) {
      let caught: unknown;
      try {
        attempt();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ApplicationFailure);
      expect(caught).toMatchObject({ type: 'provider_not_configured', nonRetryable: true });
      expect((caught as Error).message).not.toContain('secret-value');
    }
  });

  it('takes its key from ENCRYPTION_KEY: required in production, never defaulted, and checked for shape', () => {
    const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5433/x' };
    expect(() => parseWorkerConfig({ ...base, NODE_ENV: 'production' })).toThrow(/ENCRYPTION_KEY: required in production/);
    expect(parseWorkerConfig({ ...base, NODE_ENV: 'development' }).ENCRYPTION_KEY).toBeUndefined();
    expect(() => parseWorkerConfig({ ...base, ENCRYPTION_KEY: 'too-short' })).toThrow(/ENCRYPTION_KEY must be 32 bytes, base64/);
    const good = key();
    expect(parseWorkerConfig({ ...base, NODE_ENV: 'production', ENCRYPTION_KEY: good }).ENCRYPTION_KEY).toBe(good);
  });
});
