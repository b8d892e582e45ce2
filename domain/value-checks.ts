// Value checks that need no zod, for code in the workflow bundle: the Temporal worker evaluates
// every module of the bundle again for each workflow execution, and building zod schemas there
// cost about a third of each workflow start. The API's zod schemas use the same bounds.

/** PostgreSQL `int` (int4): a number stored or compared as one is refused past it, never a 500 from SQL. */
export const PG_INT_MAX = 2_147_483_647;

/** zod's `z.uuid()` pattern (RFC 9562 versions 1-8, nil and max); test/unit/zod-free-domain.test.ts holds them equal. */
export const UUID_PATTERN = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

/** A safe integer from `min` to `max`, as zod's `z.int().min(min).max(max)` reads it. */
export const isIntBetween = (value: unknown, min: number, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
