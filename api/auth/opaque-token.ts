import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to clients (refresh tokens, invite tokens): 32 random bytes, base64url.
 * Only the sha256 is stored, so a database leak does not leak usable tokens; a plain fast hash is
 * enough because the token has 256 bits of entropy (no dictionary to guess from, unlike passwords).
 */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export const hashOpaqueToken = (token: string): string => createHash('sha256').update(token).digest('hex');
