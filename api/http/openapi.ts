import { z } from 'zod';
import type { RouteDef } from './route';

/** Requests are described as accepted (defaults optional), responses as sent (`io: 'output'`). */
const toJsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io });

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

function parameters(route: RouteDef) {
  const list: object[] = [];
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
    const errorResponse = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      security: route.auth === false ? [] : [{ bearer: [] }],
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(route.body) } } } } : {}),
      responses: { [status]: success, default: errorResponse },
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
