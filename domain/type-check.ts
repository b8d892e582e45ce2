import { z } from 'zod';

/**
 * One compiler diagnostic of a generated app. `file` is relative to the app root; it is null for
 * a diagnostic with no location (e.g. a missing type library), and then line and column are 0.
 */
export const TypeCheckDiagnostic = z.object({
  file: z.string().nullable(),
  line: z.int().nonnegative(),
  column: z.int().nonnegative(),
  /** The TS error number: 2322 for TS2322. */
  code: z.int().nonnegative(),
  message: z.string(),
});
export type TypeCheckDiagnostic = z.infer<typeof TypeCheckDiagnostic>;

export const TypeCheckResult = z.object({
  ok: z.boolean(),
  diagnostics: z.array(TypeCheckDiagnostic),
  durationMs: z.number().nonnegative(),
});
export type TypeCheckResult = z.infer<typeof TypeCheckResult>;
