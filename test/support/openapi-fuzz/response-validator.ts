import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 schema to the JSON Schema Ajv reads: the Error $ref inlined and 3.0's boolean
 * `exclusiveMinimum` made numeric (Ajv reads `nullable` itself).
 */
function toAjv(schema: unknown, doc: Json): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toAjv(s, doc));
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/components/schemas/', '');
    return toAjv(((doc.components as Json).schemas as Json)[name], doc);
  }
  const out: Json = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, ps]) => [p, toAjv(ps, doc)])) : toAjv(v, doc)]));
  if (out.exclusiveMinimum === true) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  return out;
}

export interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
}

/** Checks an answer against its operation's documented statuses and schemas; returns the problem, if any. */
export function responseValidator(doc: Json) {
  const ajv = new Ajv({ strict: false, allErrors: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const cache = new Map<unknown, ValidateFunction>();
  return (operation: Operation, status: number, body: unknown): string | undefined => {
    const documented = operation.responses[String(status)];
    if (!documented) return `status ${status} is not documented`;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? undefined : `status ${status} documents no body`;
    let validate = cache.get(schema);
    if (!validate) cache.set(schema, (validate = ajv.compile(toAjv(schema, doc) as object)));
    return validate(body) ? undefined : `body breaks the documented schema: ${ajv.errorsText(validate.errors)}`;
  };
}
