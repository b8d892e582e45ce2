import { z } from 'zod';

/** GET /health: 200 with `ok`, 503 with `degraded` naming the dependency that is down (API response and SDK type). */
export const Health = z.object({ status: z.enum(['ok', 'degraded']), db: z.enum(['ok', 'down']), temporal: z.enum(['ok', 'down']) });
export type Health = z.infer<typeof Health>;
