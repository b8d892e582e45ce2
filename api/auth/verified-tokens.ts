/**
 * Access tokens already verified, until their `exp`. An HS256 check costs the API about half a
 * millisecond of CPU (a key import and an HMAC on the thread pool), and a client sends the same
 * token with every request for its whole life; the answer cannot change before `exp`, since the
 * signature, issuer and audience are facts of the string itself and access tokens are not revoked
 * one by one (refresh tokens are). Only tokens that passed the full check enter; a token is served
 * from here while `now < exp`, the same second at which jose starts refusing it.
 */
export class VerifiedTokens<T> {
  private readonly entries = new Map<string, { value: T; exp: number }>();

  /** `max` bounds memory: past it the oldest entry goes (a live token then costs one more check). */
  constructor(private readonly max: number) {}

  get(token: string, nowSeconds: number): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowSeconds < entry.exp) return entry.value;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, value: T, exp: number): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { value, exp });
  }
}
