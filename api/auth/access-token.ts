import { jwtVerify, SignJWT } from 'jose';

const issuer = 'forge';
const audience = 'forge-api';

export interface AccessClaims {
  userId: string;
}

/** Short-lived HS256 JWT; refresh tokens (opaque, hashed in the database) renew it. */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** Throws on a forged, expired or malformed token. */
  async verify(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.key, { issuer, audience, algorithms: ['HS256'] });
    if (!payload.sub) throw new Error('token has no subject');
    return { userId: payload.sub };
  }
}
