import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DeliveryFailureType } from '../../domain/errors';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Provider secrets at rest: AES-256-GCM with a random 96-bit IV per write and the key from
 * ENCRYPTION_KEY. `context` (organization + provider) is bound as additional authenticated data,
 * so a ciphertext copied onto another organization's row does not decrypt. The stored form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), versioned for a future key rotation.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes, base64');
    this.key = key;
  }

  seal(secrets: Record<string, string>, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  open(sealed: string, context: string): Record<string, string> {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw notConfigured('The stored provider secrets are in an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Record<string, string>;
    } catch {
      // Wrong key or tampered row: say which, never echo any of the bytes.
      throw notConfigured('The provider secrets cannot be decrypted with the current ENCRYPTION_KEY');
    }
  }
}

const notConfigured = (message: string) => ApplicationFailure.nonRetryable(message, DeliveryFailureType.providerNotConfigured);

/** The AAD of one organization's secrets for one provider. */
export const secretContext = (organizationId: string, provider: string) => `forge-provider-secrets:${organizationId}:${provider}`;
