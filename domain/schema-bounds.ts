import { z } from 'zod';

// Constraints that must read the same in zod (what the API accepts) and in the OpenAPI document
// generated from it (what clients and fuzzers are told): the drift hides where they differ.

/**
 * Text that zod trims and requires non-blank. JSON Schema has no trim: the `\S` pattern says the
 * same thing (at least one non-space character), so the document refuses "   " as the API does.
 */
export const trimmedText = (max: number, messages: { empty?: string; long?: string } = {}) =>
  z.string().trim().min(1, messages.empty).max(max, messages.long).meta({ pattern: '\\S' });

/**
 * An email as both sides read it. zod's default and JSON Schema's `format: email` disagree at the
 * edges (zod takes `a@b-.io`, the format refuses it); this pattern is inside both, so the document
 * carries it and every address one side accepts, the other does too.
 */
const EMAIL_PATTERN = "^[A-Za-z0-9_'+-]+(\\.[A-Za-z0-9_'+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z]{2,}$";
export const EmailAddress = z.email({ pattern: new RegExp(EMAIL_PATTERN) }).max(254);

/**
 * An instant a query compares with a timestamptz: ISO 8601 with an offset, in UTC years 1 to 9999
 * (PostgreSQL refuses year 0, which `0000-...` or an offset can reach). The description tells it.
 */
export const QueryInstant = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'The instant must fall in UTC years 1 to 9999')
  .meta({ description: 'ISO 8601 date-time with offset, in UTC years 0001 to 9999' });
