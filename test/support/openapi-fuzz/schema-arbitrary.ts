import fc from 'fast-check';

/** The OpenAPI 3.0 schema subset that z.toJSONSchema writes. */
export interface Schema {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  items?: Schema;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
}

const PG_INT_MAX = 2_147_483_647;

/** The classic finds: int4 and float edges, odd Unicode (NUL, lone surrogates, RTL override), huge text. */
export const evilIntegers = [0, -1, PG_INT_MAX, PG_INT_MAX + 1, -PG_INT_MAX - 2, Number.MAX_SAFE_INTEGER, 2 ** 63, 1.5, 1e308];
export const evilStrings = ['', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\u202eevil', '😀'.repeat(50), '../../etc/passwd', "'; drop table users; --", '%00', 'x'.repeat(70_000)];

const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...evilStrings),
);

/** fast-check builds strings for most patterns; for those with lookaheads, short path-like strings that match. */
function matching(pattern: RegExp): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(pattern);
  } catch {
    const pieces = fc.array(fc.constantFrom('a', 'src', 'App.tsx', '/', '.', '-', '_', 'é', ' '), { minLength: 1, maxLength: 8 });
    return pieces.map((p) => p.join('')).filter((s) => pattern.test(s));
  }
}

/** Mostly valid strings (the route must get past its validation), sometimes odd ones. */
function stringOf(schema: Schema): fc.Arbitrary<string> {
  const valid = (() => {
    if (schema.format === 'uuid') return fc.uuid();
    if (schema.pattern) return matching(new RegExp(schema.pattern, 'u')).map((s) => s.slice(0, schema.maxLength ?? 5_000));
    if (schema.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString());
    return fc.string({ minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.min(schema.maxLength ?? 60, 60) });
  })();
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: oddText, weight: 1 });
}

function numberOf(schema: Schema): fc.Arbitrary<number> {
  const exclusive = schema.exclusiveMinimum === true;
  const min = schema.minimum === undefined ? -PG_INT_MAX : schema.minimum + (exclusive ? 1 : 0);
  const max = schema.maximum ?? PG_INT_MAX;
  const valid = schema.type === 'integer' ? fc.integer({ min: Math.max(min, -PG_INT_MAX), max: Math.min(max, PG_INT_MAX) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: fc.constantFrom(...evilIntegers), weight: 1 });
}

function objectOf(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, arbitraryOf(s)]));
  const known = fc.record(props, { requiredKeys: schema.required ?? [] });
  // Now and then a property the schema does not know, or one it requires left out.
  return fc.oneof(
    { arbitrary: known, weight: 4 },
    { arbitrary: fc.tuple(known, fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 1 })).map(([o, k, v]) => ({ ...o, [k]: v })), weight: 1 },
    { arbitrary: known.map((o) => Object.fromEntries(Object.entries(o).slice(1))), weight: 1 },
  );
}

/** A fast-check arbitrary for values of `schema`: valid ones most of the time, the edges the rest. */
export function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  let base: fc.Arbitrary<unknown>;
  if (schema.enum) base = fc.oneof({ arbitrary: fc.constantFrom(...schema.enum), weight: 5 }, { arbitrary: oddText, weight: 1 });
  else if (schema.type === 'string') base = stringOf(schema);
  else if (schema.type === 'integer' || schema.type === 'number') base = numberOf(schema);
  else if (schema.type === 'boolean') base = fc.boolean();
  else if (schema.type === 'array') base = fc.array(arbitraryOf(schema.items ?? {}), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
  else if (schema.type === 'object' || schema.properties) base = objectOf(schema);
  else if (alternatives && !schema.properties) base = fc.oneof(...alternatives.map(arbitraryOf));
  else base = fc.anything({ maxDepth: 2 });
  return schema.nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}
