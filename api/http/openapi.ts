import { z } from 'zod';
import { IDEMPOTENCY_HEADER } from '../../domain/idempotency';
import { linksOf, operationIdOf } from './openapi-links';
import { isIdempotent, type RouteDef } from './route';

/**
 * OpenAPI 3.0.3: `nullable` does not widen an `enum`, so a nullable enum must list null itself
 * (zod leaves it out, and strict validators then refuse the nulls the API sends).
 */
function nullInEnums(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const s = node as { nullable?: boolean; enum?: unknown[] };
  if (s.nullable && s.enum && !s.enum.includes(null)) s.enum.push(null);
  for (const child of Object.values(node)) nullInEnums(child);
}

/** Requests are described as accepted (defaults optional), responses as sent (`io: 'output'`). */
const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') => {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io });
  nullInEnums(json);
  return json;
};

/** Express path to OpenAPI path: `:id` and `*path` become `{id}` and `{path}`. */
const openApiPath = (path: string) => `/api/v1${path.replace(/[:*](\w+)/g, '{$1}')}`;

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

/** Every error status the API answers, each with the error body (api/middleware/error-handler.ts). */
const errorStatuses: Record<string, string> = {
  400: 'Invalid input (details from zod), text with a NUL character or a lone surrogate, or a malformed Idempotency-Key',
  401: 'No, invalid or expired access token',
  403: 'Role too low, or a quota amount reached',
  404: "Unknown, or another organization's, resource",
  409: 'Conflict (version_conflict, a state that refuses the command, idempotency_in_progress)',
  413: 'Request or file set too large',
  422: 'idempotency_key_reused: the Idempotency-Key was sent with another request',
  429: 'Rate limited (Retry-After)',
  503: 'A dependency is down: temporal_unavailable or database_unavailable (Retry-After)',
};

const idempotencyParameter = {
  name: IDEMPOTENCY_HEADER,
  in: 'header',
  required: false,
  description: 'Retries with the same key within 24 h get the first answer (header idempotent-replayed: true); the same key with another body is 422',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};

function parameters(route: RouteDef) {
  const list: object[] = [];
  if (isIdempotent(route)) list.push(idempotencyParameter);
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = toJsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      list.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return list;
}

/** Builds the OpenAPI 3.0 document from the route table: nothing here is written by hand. */
export function buildOpenApi(routes: RouteDef[], version: string) {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const status = String(route.status ?? 200);
    const success = route.response
      ? { description: 'Success', content: { 'application/json': { schema: toJsonSchema(route.response, 'output') } } }
      : { description: 'Success' };
    const links = linksOf(route, routes);
    const errorBody = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    const errors = Object.fromEntries(Object.entries(errorStatuses).map(([code, description]) => [code, errorBody(description)]));
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      operationId: operationIdOf(route),
      summary: route.summary,
      tags: [route.tag],
      security: route.auth === false ? [] : [{ bearer: [] }],
      parameters: parameters(route),
      // Required only when the route refuses a missing body (a rollback's or a preview's is optional).
      ...(route.body ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: toJsonSchema(route.body) } } } } : {}),
      responses: { [status]: links ? { ...success, links } : success, ...errors, default: errorBody('Error') },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Forge API', version },
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    paths,
  };
}
