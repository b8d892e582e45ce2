import { jwtVerify, SignJWT } from 'jose';
import { VerifiedTokens } from './verified-tokens';

const issuer = 'forge';
const audience = 'forge-api';
/** Live tokens remembered at once (a few hundred bytes each): one per active client is plenty. */
const verifiedTokensMax = 10_000;

export interface AccessClaims {
  userId: string;
}

/** Short-lived HS256 JWT; refresh tokens (opaque, hashed in the database) renew it. */
export class AccessTokens {
  /** Imported once: jose would import raw key bytes again on every sign and verify. */
  private readonly key: Promise<CryptoKey>;
  private readonly verified = new VerifiedTokens<string>(verifiedTokensMax);

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(await this.key);
  }

  /** Throws on a forged, expired or malformed token. */
  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token, Math.floor(Date.now() / 1000));
    if (known !== undefined) return { userId: known };
    const { payload } = await jwtVerify(token, await this.key, { issuer, audience, algorithms: ['HS256'] });
    if (!payload.sub) throw new Error('token has no subject');
    // Every token signed here has an `exp`; one without (never issued by Forge) is not remembered.
    if (payload.exp !== undefined) this.verified.set(token, payload.sub, payload.exp);
    return { userId: payload.sub };
  }
}
