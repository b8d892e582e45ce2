import { AppError, ErrorCode } from '../../domain/errors';

/**
 * Where a request part holds text PostgreSQL cannot store, if anywhere: a NUL character (text
 * refuses it) or a lone surrogate (not Unicode; jsonb refuses its escape). Both are 400, never a 500.
 */
function unstorableTextAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') || !value.isWellFormed() ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = unstorableTextAt(child, `${path}.${key}`) ?? (key.includes('\0') || !key.isWellFormed() ? `${path}.${key}` : undefined);
    if (found) return found;
  }
  return undefined;
}

/** Throws the 400 for input holding unstorable text; REST parts and socket payloads both pass here. */
export function assertStorableText(value: unknown, where: string): void {
  const bad = unstorableTextAt(value, where);
  if (!bad) return;
  const message = 'contains a NUL character or a lone surrogate (not storable text)';
  throw new AppError(ErrorCode.invalidInput, `Invalid ${where}: ${bad} ${message}`, { issues: [{ path: bad, message, code: 'custom' }] });
}
