import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessClaims } from '../auth/access-token';

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate` on routes that require a user. */
      auth?: AccessClaims;
      /** The validated Idempotency-Key of an idempotent route, for Temporal ids derived from it. */
      idempotencyKey?: string;
      /** A fork of the process's EntityManager, one per request. */
      em: EntityManager;
      /** The exact bytes of a webhook's body, kept for its signature check (api/app.ts). */
      rawBody?: Buffer;
    }
  }
}
